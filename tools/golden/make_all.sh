#!/usr/bin/env bash
# Regenerates every golden fixture under src/test/resources/golden/ from Hugging Face transformers.
#   1. tools/golden/setup-venv.sh              (pinned venv at .cache/golden-venv; idempotent)
#   2. gpt2/fake-gpt2.json                     from src/test/resources/models/fake-gpt2
#      train/finetune-fake-gpt2.json           three fine-tuning steps of it (make_finetune_golden.py)
#      analysis/task-vectors.json + analysis/models/ (make_analysis_golden.py; numpy + safetensors only)
#   3. gpt2/small-seed1234.json                from `bin/mergelab init-model --preset small --seed 1234`
#                                              (only if bin/mergelab exists and that command works)
#   4. stats/*.json                            statistics for results tables (make_stats_golden.py; numpy + scipy)
#      train/training-arguments.json           TrainingArguments' fields and defaults (make_training_args_golden.py)
# Run from anywhere; paths are resolved from this script's location.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
cd "$REPO_ROOT"

"$SCRIPT_DIR/setup-venv.sh"
PY="${GOLDEN_VENV:-$REPO_ROOT/.cache/golden-venv}/bin/python"
OUT_DIR="src/test/resources/golden/gpt2"
mkdir -p "$OUT_DIR"

FAKE="src/test/resources/models/fake-gpt2"
if [[ ! -f "$FAKE/model.safetensors" ]]; then
  echo "[golden] ERROR: $FAKE/model.safetensors not found (the tiny model the tests ship)" >&2
  exit 1
fi
echo "[golden] fake-gpt2 -> $OUT_DIR/fake-gpt2.json"
"$PY" tools/golden/make_gpt2_golden.py "$FAKE" "$OUT_DIR/fake-gpt2.json" --num-labels 3

echo "[golden] fine-tuning fake-gpt2 -> src/test/resources/golden/train/finetune-fake-gpt2.json"
"$PY" tools/golden/make_finetune_golden.py "$FAKE" src/test/resources/golden/train/finetune-fake-gpt2.json

SMALL_DIR="target/golden/small-seed1234"
if [[ -x bin/mergelab ]]; then
  echo "[golden] building $SMALL_DIR with bin/mergelab init-model"
  rm -rf "$SMALL_DIR"
  mkdir -p "$(dirname "$SMALL_DIR")"
  if bin/mergelab init-model --preset small --seed 1234 --out "$SMALL_DIR" && [[ -f "$SMALL_DIR/model.safetensors" ]]; then
    if [[ ! -f "$SMALL_DIR/tokenizer.json" ]]; then
      echo "[golden] ERROR: $SMALL_DIR has no tokenizer.json (init-model must write the GPT-2 tokenizer files)" >&2
      exit 1
    fi
    echo "[golden] small-seed1234 -> $OUT_DIR/small-seed1234.json"
    "$PY" tools/golden/make_gpt2_golden.py "$SMALL_DIR" "$OUT_DIR/small-seed1234.json" --num-labels 3
  else
    echo "[golden] skipped: factory not built yet (bin/mergelab init-model --preset small --seed 1234 failed or wrote no model.safetensors)"
  fi
else
  echo "[golden] skipped: factory not built yet (bin/mergelab not found or not executable)"
fi

echo "[golden] task-vector analysis -> src/test/resources/golden/analysis (checkpoints + task-vectors.json)"
"$PY" tools/golden/make_analysis_golden.py src/test/resources/golden/analysis

echo "[golden] TrainingArguments names and defaults -> src/test/resources/golden/train/training-arguments.json"
"$PY" tools/golden/make_training_args_golden.py src/test/resources/golden/train/training-arguments.json

echo "[golden] statistics -> src/test/resources/golden/stats"
"$PY" tools/golden/make_stats_golden.py src/test/resources/golden/stats

echo "[golden] fixtures:"
ls -l "$OUT_DIR"
