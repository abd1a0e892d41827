#!/usr/bin/env bash
# Regenerates the merge-engine golden fixture (src/test/resources/golden/merge/merge-golden.json) with mergekit.
# Needs the reference venv (tools/golden/setup-venv.sh) and bin/mergelab (for init-model).
set -euo pipefail
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
cd "$REPO_ROOT"
PY="${GOLDEN_VENV:-$REPO_ROOT/.cache/golden-venv}/bin/python"
"$PY" tools/golden/make_merge_golden.py "$@"
