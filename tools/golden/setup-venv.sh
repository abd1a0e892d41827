#!/usr/bin/env bash
# Creates (or reuses) the pinned Python venv for the golden tooling at <repo>/.cache/golden-venv.
#
# Idempotent: if the venv exists, was installed from the current requirements.txt (sha256 stamp), was built for
# its present path (a moved or copied checkout keeps entry points whose shebangs name the old path) and its
# imports and the mergekit-yaml entry point work, nothing is downloaded. Otherwise it is (re)built from
# tools/golden/requirements.txt, a complete lock installed with --no-deps.
#
# Needs: python3 >= 3.11 with the venv module (Debian: apt-get install python3-venv), PyPI access,
# ~5 GB of disk (the PyPI torch wheel brings CUDA runtime libraries even for CPU use).
#
# Env overrides: PYTHON (interpreter used to create the venv, default python3),
#                GOLDEN_VENV (venv location, default <repo>/.cache/golden-venv),
#                GOLDEN_VENV_FORCE=1 (wipe and rebuild).
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
REQ="$SCRIPT_DIR/requirements.txt"
VENV="${GOLDEN_VENV:-$REPO_ROOT/.cache/golden-venv}"
PYTHON="${PYTHON:-python3}"
PIP_VERSION="26.3"
STAMP="$VENV/.golden-requirements.sha256"
PATH_STAMP="$VENV/.golden-venv-path"

log() { echo "[golden-venv] $*"; }
die() { echo "[golden-venv] ERROR: $*" >&2; exit 1; }

command -v "$PYTHON" >/dev/null 2>&1 || die "'$PYTHON' not found. Install Python 3.11+ (Debian: apt-get install python3 python3-venv python3-pip)."

"$PYTHON" - <<'PY' || die "Python >= 3.11 is required (torch 2.15 / numpy 2.4 have no wheels for older). Set PYTHON=/path/to/python3.11+."
import sys
sys.exit(0 if sys.version_info >= (3, 11) else 1)
PY

req_sha() { sha256sum "$REQ" | awk '{print $1}'; }

# The venv's absolute physical path, which its bin/ entry points name in their shebangs.
venv_here() {
  mkdir -p "$(dirname "$VENV")"
  echo "$(cd "$(dirname "$VENV")" && pwd -P)/$(basename "$VENV")"
}

# The path the venv was built for: recorded at install, or (older venvs) read from an entry point's shebang.
venv_built_for() {
  if [[ -f "$PATH_STAMP" ]]; then cat "$PATH_STAMP"; return; fi
  local shebang; shebang="$(head -n1 "$VENV/bin/mergekit-yaml" 2>/dev/null || true)"
  if [[ "$shebang" == "#!$VENV/bin/python" ]]; then venv_here; else shebang="${shebang#\#!}"; echo "${shebang%/bin/python}"; fi
}

verify() {
  "$VENV/bin/python" - <<'PY'
import importlib.metadata as md
import torch, transformers, tokenizers, safetensors, numpy  # noqa: F401
import mergekit.config, mergekit.merge  # noqa: F401
x = torch.arange(6, dtype=torch.float32).reshape(2, 3)
assert float((x @ x.T).sum()) == 83.0
for p in ("torch", "transformers", "tokenizers", "safetensors", "numpy", "mergekit"):
    print(f"  {p}=={md.version(p)}")
import sys
print(f"  python {sys.version.split()[0]}; torch.cuda.is_available()={torch.cuda.is_available()}")
PY
  # make_merge_golden.py runs this entry point: its shebang must name this venv's python
  "$VENV/bin/mergekit-yaml" --help >/dev/null || { echo "$VENV/bin/mergekit-yaml does not run" >&2; return 1; }
}

if [[ "${GOLDEN_VENV_FORCE:-0}" == "1" && -d "$VENV" ]]; then
  log "GOLDEN_VENV_FORCE=1: removing $VENV"
  rm -rf "$VENV"
fi

built_for="$(venv_built_for)"
if [[ -d "$VENV" && "$built_for" != "$(venv_here)" ]]; then
  log "venv at $VENV was built for ${built_for:-an unknown path} (a moved or copied checkout, or an unfinished install); rebuilding"
  rm -rf "$VENV"
fi

if [[ -x "$VENV/bin/python" && -f "$STAMP" && "$(cat "$STAMP")" == "$(req_sha)" ]]; then
  if out="$(verify 2>&1)"; then
    [[ -f "$PATH_STAMP" ]] || venv_here > "$PATH_STAMP"
    log "venv up to date: $VENV"
    echo "$out"
    exit 0
  fi
  log "venv at $VENV exists but fails its import or entry-point check; rebuilding"
  rm -rf "$VENV"
fi

if [[ -d "$VENV" && ! -x "$VENV/bin/python" ]]; then
  log "removing broken venv at $VENV"
  rm -rf "$VENV"
fi

if [[ ! -x "$VENV/bin/python" ]]; then
  if ! "$PYTHON" -c 'import ensurepip, venv' >/dev/null 2>&1; then
    PYV="$("$PYTHON" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')"
    die "the Python venv module/ensurepip is missing. On Debian/Ubuntu run: apt-get install python3-venv (or python${PYV}-venv)"
  fi
  log "creating venv at $VENV with $("$PYTHON" --version 2>&1)"
  mkdir -p "$(dirname "$VENV")"
  "$PYTHON" -m venv "$VENV" || die "'$PYTHON -m venv' failed. On Debian/Ubuntu: apt-get install python3-venv"
fi

export PIP_DISABLE_PIP_VERSION_CHECK=1
start=$(date +%s)
log "installing pip==$PIP_VERSION"
"$VENV/bin/python" -m pip install --quiet "pip==$PIP_VERSION"
log "installing the lock $REQ (--no-deps, wheels only; downloads ~3.5 GB the first time)"
"$VENV/bin/python" -m pip install --progress-bar off --no-deps --only-binary=:all: -r "$REQ"

# The lock deliberately omits triton (see requirements.txt); anything else pip check reports is a bug.
if ! check_out="$("$VENV/bin/python" -m pip check 2>&1)"; then
  other="$(echo "$check_out" | grep -v -i 'triton' || true)"
  if [[ -n "$other" ]]; then
    echo "$check_out" >&2
    die "pip check reports inconsistent requirements (beyond the intentionally skipped triton)"
  fi
fi

log "verifying imports"
verify || die "import check failed after install"
venv_here > "$PATH_STAMP"
req_sha > "$STAMP"
log "done in $(( $(date +%s) - start ))s; venv size: $(du -sh "$VENV" | awk '{print $1}')"
