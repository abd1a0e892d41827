#!/usr/bin/env bash
# Pre-training throughput of the tiny preset (2 layers, 128 wide, GPT-2's 50 257-token vocabulary), batch 16 x 128
# tokens: mergelab with the full softmax and with --sampled-softmax 4096, against PyTorch + transformers doing the
# same steps (torch_clm.py, in the golden venv). Prints tokens/s of each and the ratios; BENCHMARKS.md
# ("Pre-training throughput") quotes it. Run it on an idle machine.
#   benchmarks/pretrain/run.sh [STEPS]      (default 60; every step counts, the first ones included)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
STEPS="${1:-60}"
WORK="$ROOT/target/bench/pretrain"
mkdir -p "$WORK"
CORPUS=(data/uci-sentiment data/drugscom-sample/drugsComTrain_raw.tsv) # shipped text: throughput does not depend on it
PY="${GOLDEN_VENV:-$ROOT/.cache/golden-venv}/bin/python"
[[ -x "$PY" ]] || tools/golden/setup-venv.sh >&2

java_rate() { # extra pretrain options...; prints tokens/s of the training loop (tokenizing and held-out excluded)
  bin/mergelab pretrain --preset tiny --corpus "${CORPUS[@]}" --steps "$STEPS" --batch-size 16 --max-length 128 \
    --learning-rate 2e-3 --no-progress --overwrite --out "$WORK/java" "$@" 2>/dev/null \
    | sed -n 's/.*, \([0-9.]*\) tokens\/s$/\1/p'
}
full=$(java_rate)
sampled=$(java_rate --sampled-softmax 4096)
read -r torch_full torch_sampled < <("$PY" benchmarks/pretrain/torch_clm.py "$STEPS" 4096)
printf '%-34s %10s\n' "tokens/s (tiny, batch 16 x 128)" ""
printf '%-34s %10.0f\n' "mergelab, full softmax" "$full" "mergelab, sampled softmax 4096" "$sampled" \
  "torch, full softmax" "$torch_full" "torch, sampled softmax 4096" "$torch_sampled"
awk -v f="$full" -v s="$sampled" -v tf="$torch_full" -v ts="$torch_sampled" 'BEGIN {
  printf "sampled / full: mergelab %.2fx, torch %.2fx\nmergelab / torch: full %.2f, sampled %.2f\n", s / f, ts / tf, f / tf, s / ts }'
