#!/usr/bin/env bash
# Reproducibility of resumed fine-tunes: one fine-tune is killed right after its step-12 checkpoint, then resumed N
# times in fresh processes from copies of that checkpoint. Prints how many resumes gave each (loss of step 13,
# final weights) pair: one line means every resume was bit-identical. The numbers in BENCHMARKS.md
# ("Reproducible resumes") and bin/native-env come from it.
#   benchmarks/determinism/run.sh [N] [VAR=VALUE ...]   (default N=12; VARs go to the resumed JVMs, e.g.
#                                                        MKL_CBWR= to switch MKL's reproducible mode off)
#   LOAD=1 ...      two busy loops run beside the resumes (a loaded node)
#   THREADS=1 ...   libtorch intra-op threads of the resumes (default: its own choice)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
N="${1:-12}"
shift || true
WORK="$ROOT/target/bench/determinism"
mkdir -p "$WORK"
# the resume tests' own child (ResumeChild: 240 Yelp sentences, batch 8, gradient accumulation 2, warm-up, evaluation
# every 10 steps, best model at the end), started like bin/mergelab: through bin/native-env
mvn -B -q -o test-compile >&2
mvn -B -q -o dependency:build-classpath -Dmdep.outputFile="$WORK/cp.txt" >&2
rm -rf "$WORK/classes" && mkdir -p "$WORK/classes"
cp -r "$ROOT/target/classes" "$WORK/classes/main" && cp -r "$ROOT/target/test-classes" "$WORK/classes/test"
child() { # OUT [java options...]; the caller is a subshell, which the JVM replaces
  local out="$1"; shift
  exec "$ROOT/bin/native-env" java -Xmx2g -Dai.djl.offline=true "$@" \
    -cp "$WORK/classes/main:$WORK/classes/test:$(cat "$WORK/cp.txt")" io.mergelab.train.ResumeChild "$MODEL" "$out" 12 24
}
THREAD_OPT=()
[[ -n "${THREADS:-}" ]] && THREAD_OPT=(-Dai.djl.pytorch.num_threads="$THREADS")

MODEL="$WORK/tiny-seed1234"
[[ -f "$MODEL/model.safetensors" ]] || bin/mergelab init-model --preset tiny --seed 1234 --out "$MODEL" --overwrite >&2
CK="$WORK/killed-after-12"
if [[ ! -f "$CK/checkpoints/checkpoint-12/trainer_state.json" ]]; then
  rm -rf "$CK"
  child "$CK" "${THREAD_OPT[@]}" > "$WORK/first.log" 2>&1 &
  pid=$!
  until [[ -f "$CK/checkpoints/checkpoint-12/trainer_state.json" ]]; do
    kill -0 "$pid" 2>/dev/null || { echo "the first run ended before its step-12 checkpoint: $WORK/first.log" >&2; exit 1; }
    sleep 0.05
  done
  kill -KILL "$pid"; wait "$pid" 2>/dev/null || true
fi

hogs=()
if [[ "${LOAD:-0}" == 1 ]]; then
  for _ in 1 2; do (while :; do :; done) & hogs+=($!); done
fi
trap '[[ ${#hogs[@]} -gt 0 ]] && kill "${hogs[@]}" 2>/dev/null || true' EXIT
for i in $(seq 1 "$N"); do
  rm -rf "$WORK/resumed"; cp -r "$CK" "$WORK/resumed"
  rm -f "$WORK/resumed/metrics.json"
  ( if [[ $# -gt 0 ]]; then export "$@"; fi; child "$WORK/resumed" "${THREAD_OPT[@]}" ) > "$WORK/resumed.log" 2>&1 \
    || { echo "resume $i failed: $WORK/resumed.log" >&2; exit 1; }
  python3 - "$WORK/resumed" <<'PY'
import hashlib, json, sys
d = sys.argv[1]
h = json.load(open(d + "/training_state.json"))["log_history"]
loss = [e["loss"] for e in h if e["step"] == 13 and "loss" in e][0]
print(f"step-13 loss {loss!r}, weights sha1 {hashlib.sha1(open(d + '/model.safetensors', 'rb').read()).hexdigest()[:10]}")
PY
done | sort | uniq -c
