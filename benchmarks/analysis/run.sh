#!/usr/bin/env bash
# Task-vector analysis benchmark: `mergelab analyze` on three GPT-2-124M-shaped checkpoints from the factory
# (seed 1 as the base, seeds 2 and 3 as the variants; the merge benchmark's checkpoints), under the merge
# benchmark's heap cap (1.3x one checkpoint). Prints wall time and peak RSS from /usr/bin/time -v per run and
# the ratio of peak RSS to one checkpoint, the bound the merge engine is held to (<= 1.5x). A benchmark, not a
# test: run it by hand on an otherwise idle machine.
#
#   benchmarks/analysis/run.sh            # 3 runs
#   REPEAT=1 benchmarks/analysis/run.sh
# Env: MERGELAB (launcher, default bin/mergelab), WORK (scratch, default target/bench-merge: shares the merge
#      benchmark's checkpoints), REPEAT (runs, default 3), MERGELAB_JAVA_OPTS (default: the merge benchmark's cap;
#      HEAP=1.05 sets the cap to that multiple of one checkpoint instead).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
MERGELAB="${MERGELAB:-$ROOT/bin/mergelab}"
WORK="${WORK:-$ROOT/target/bench-merge}"
REPEAT="${REPEAT:-3}"
mkdir -p "$WORK"
for s in 1 2 3; do
  if [[ ! -f "$WORK/m$s/model.safetensors" ]]; then
    "$MERGELAB" init-model --preset gpt2 --seed "$s" --out "$WORK/m$s" --overwrite
  fi
done
CKPT_BYTES=$(stat -c %s "$WORK/m1/model.safetensors")
HEAP="${HEAP:-1.3}"
export MERGELAB_JAVA_OPTS="${MERGELAB_JAVA_OPTS:--Xmx$(awk -v c="$CKPT_BYTES" -v h="$HEAP" 'BEGIN { printf "%d", c * h / 1048576 }')m}"
echo "analyze: base m1, variants m2 m3 ($((CKPT_BYTES / 1048576)) MiB each), MERGELAB_JAVA_OPTS=$MERGELAB_JAVA_OPTS"
for i in $(seq 1 "$REPEAT"); do
  /usr/bin/time -v "$MERGELAB" analyze "$WORK/m2" "$WORK/m3" --base "$WORK/m1" --out "$WORK/analysis" \
      --overwrite --no-progress > /dev/null 2> "$WORK/analyze-time.txt"
  wall=$(grep "Elapsed (wall clock)" "$WORK/analyze-time.txt" | awk '{print $NF}')
  rss=$(grep "Maximum resident set size" "$WORK/analyze-time.txt" | awk '{print $NF}')
  awk -v w="$wall" -v r="$rss" -v c="$CKPT_BYTES" -v i="$i" \
      'BEGIN { printf "run %d: wall %s, peak RSS %.0f MiB (%.2fx one checkpoint)\n", i, w, r / 1024, r * 1024 / c }'
done
