#!/usr/bin/env bash
# Where a fine-tuning step's time goes, both sides: mergelab's phases (-Dmergelab.train.profile=true, printed every
# 10 steps) and transformers' (torch_phases.py: the same phases timed around model(), backward(), clip_grad_norm_,
# fused AdamW). Run after benchmarks/finetune/run.sh (it reuses its checkpoints and class path).
#   benchmarks/finetune/profile.sh [THREADS] [PRESET] [STEPS]     (defaults: 1, small, 60)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
THREADS="${1:-1}"
PRESET="${2:-small}"
STEPS="${3:-60}"
WORK="$ROOT/target/bench/finetune"
PY="${GOLDEN_VENV:-$ROOT/.cache/golden-venv}/bin/python"
MODEL="$WORK/$PRESET-seed1234"
[[ -f "$MODEL/model.safetensors" && -f "$WORK/cp.txt" ]] || { echo "run benchmarks/finetune/run.sh $THREADS $PRESET first" >&2; exit 2; }
export OMP_NUM_THREADS="$THREADS" MKL_NUM_THREADS="$THREADS"
echo "transformers ($PRESET, $THREADS threads):"
"$PY" benchmarks/finetune/torch_phases.py "$THREADS" "$MODEL" "$STEPS" 2>/dev/null | tail -1
echo "mergelab ($PRESET, $THREADS threads), cumulative over the steps so far:"
"$ROOT/bin/native-env" java -Xmx8g -Dai.djl.offline=true -Dmergelab.train.profile=true \
  -cp "$WORK/classes:$(cat "$WORK/cp.txt")" io.mergelab.cli.Main finetune --model "$MODEL" \
  --dataset benchmarks/finetune/yelp-all.yaml --out "$WORK/profile-out" --overwrite --threads "$THREADS" \
  --no-progress --set per_device_train_batch_size=8 --set max_steps="$STEPS" --set learning_rate=2e-5 \
  --set weight_decay=0.01 --set save_strategy=no 2>&1 | grep "^profile step" | tail -1
