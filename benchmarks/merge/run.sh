#!/usr/bin/env bash
# Merge benchmark: mergekit (CPU, --lazy-unpickle) vs mergelab on three GPT-2-124M-shaped checkpoints
# from our factory, for linear, ties and dare_ties. Measures wall time and peak RSS with /usr/bin/time -v
# and writes the "## Merge" section of BENCHMARKS.md. A benchmark, not a test: run it by hand.
#
#   benchmarks/merge/run.sh                # everything
#   METHODS="ties" REPEAT=1 benchmarks/merge/run.sh
#   METHODS="ties_bf16" ...                  # a method with suffix _bf16: the same recipe with dtype: bfloat16
# Env: MERGELAB (launcher, default bin/mergelab), PY (venv python), WORK (scratch, default target/bench-merge),
#      THREADS (mergelab --threads, default: nproc), MERGELAB_JAVA_OPTS (JVM options, default: heap capped at
#      1.3x one checkpoint; a JVM left at bin/mergelab's -Xmx8g lets garbage pile up and RSS grow).
set -euo pipefail
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
cd "$ROOT"
MERGELAB="${MERGELAB:-$ROOT/bin/mergelab}"
PY="${PY:-$ROOT/.cache/golden-venv/bin/python}"
MERGEKIT="$(dirname "$PY")/mergekit-yaml"
WORK="${WORK:-$ROOT/target/bench-merge}"
THREADS="${THREADS:-$(nproc)}"
METHODS="${METHODS:-linear ties dare_ties}"
mkdir -p "$WORK"

for s in 1 2 3; do
  if [[ ! -f "$WORK/m$s/model.safetensors" ]]; then
    "$MERGELAB" init-model --preset gpt2 --seed "$s" --out "$WORK/m$s" --overwrite
  fi
done
CKPT_BYTES=$(stat -c %s "$WORK/m1/model.safetensors")
export MERGELAB_JAVA_OPTS="${MERGELAB_JAVA_OPTS:--Xmx$((CKPT_BYTES * 13 / 10 / 1048576))m}"

recipe() { # method[_bf16] -> yaml (_bf16: computed in bfloat16, as both tools do for dtype: bfloat16)
  if [[ "$1" == *_bf16 ]]; then
    recipe "${1%_bf16}" | sed 's/^dtype: float32$/dtype: bfloat16/'
    return
  fi
  case "$1" in
    linear) cat <<Y
merge_method: linear
models:
  - {model: $WORK/m1, parameters: {weight: 0.4}}
  - {model: $WORK/m2, parameters: {weight: 0.3}}
  - {model: $WORK/m3, parameters: {weight: 0.3}}
dtype: float32
Y
    ;;
    ties|dare_ties) cat <<Y
merge_method: $1
base_model: $WORK/m1
models:
  - {model: $WORK/m2, parameters: {weight: 0.5, density: 0.5}}
  - {model: $WORK/m3, parameters: {weight: 0.5, density: 0.5}}
dtype: float32
Y
    ;;
  esac
}

measure() { # label cmd... -> prints "wall_s rss_kb"
  local log="$WORK/time-$1.log"; shift
  /usr/bin/time -v "$@" >"$log.out" 2>"$log" || { echo "FAILED: $*" >&2; tail -20 "$log" >&2; exit 1; }
  local wall rss
  wall=$(grep "Elapsed (wall clock)" "$log" | awk '{print $NF}' | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
  rss=$(grep "Maximum resident set size" "$log" | awk '{print $NF}')
  echo "$wall $rss"
}

ROWS=""
for m in $METHODS; do
  recipe "$m" > "$WORK/$m.yml"
  echo "[bench] $m: mergekit" >&2
  rm -rf "$WORK/out-mk-$m"
  read -r mk_wall mk_rss < <(measure "mk-$m" "$MERGEKIT" "$WORK/$m.yml" "$WORK/out-mk-$m" --lazy-unpickle --random-seed 0 --quiet)
  rm -rf "$WORK/out-mk-$m"
  echo "[bench] $m: mergelab" >&2
  read -r ml_wall ml_rss < <(measure "ml-$m" "$MERGELAB" merge "$WORK/$m.yml" "$WORK/out-ml-$m" --overwrite --no-progress --threads "$THREADS")
  rm -rf "$WORK/out-ml-$m"
  row=$(python3 - "$m" "$mk_wall" "$mk_rss" "$ml_wall" "$ml_rss" "$CKPT_BYTES" <<'P'
import sys
m, mkw, mkr, mlw, mlr, ck = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
print(f"| {m} | {mkw:.1f} | {mlw:.1f} | **{mkw/mlw:.2f}x** | {mkr/1024:.0f} | {mlr/1024:.0f} | {mlr*1024/ck:.2f}x |")
P
)
  echo "$row" >&2
  ROWS+="$row"$'\n'
done

SECTION=$(cat <<S
## Merge

\`benchmarks/merge/run.sh\` — three GPT-2-124M-shaped checkpoints from \`init-model --preset gpt2\` (seeds 1-3,
float32, $(python3 -c "print(f'{$CKPT_BYTES/1e6:.0f}')") MB each). mergekit $("$PY" -c 'from importlib.metadata import version; print(version("mergekit"))') on CPU
with \`--lazy-unpickle\`; mergelab \`merge --threads $THREADS\` with \`MERGELAB_JAVA_OPTS=$MERGELAB_JAVA_OPTS\`. Wall time
and peak RSS from \`/usr/bin/time -v\` (one run each, whole process including JVM / Python start-up;
this includes mergelab's sha256 manifest of all inputs and outputs). Machine: $(nproc) cores,
$(free -g | awk '/Mem:/{print $2}') GiB RAM, shared with other jobs, so expect ±15% noise. Measured $(date -u +%Y-%m-%d).

| method | mergekit wall (s) | mergelab wall (s) | speed-up | mergekit peak RSS (MiB) | mergelab peak RSS (MiB) | mergelab RSS / one checkpoint |
|---|---|---|---|---|---|---|
${ROWS}
Goals: speed-up ≥ 2x, mergelab peak RSS ≤ 1.5x one checkpoint.
S
)
BM="$ROOT/BENCHMARKS.md"
python3 - "$BM" "$SECTION" <<'P'
import re, sys, pathlib
path, section = pathlib.Path(sys.argv[1]), sys.argv[2].rstrip() + "\n"
text = path.read_text() if path.exists() else "# Benchmarks\n"
notes = ""
m = re.search(r"^## Merge\n.*?(?=^## |\Z)", text, flags=re.S | re.M)
if m:
    old = m.group(0)
    k = old.find("### Analysis")
    if k >= 0:
        notes = "\n" + old[k:].rstrip() + "\n"
    text = text[:m.start()] + section + notes + ("\n" if text[m.end():] else "") + text[m.end():]
else:
    text = text.rstrip() + "\n\n" + section
path.write_text(text)
P
echo "[bench] wrote the Merge section of $BM" >&2
