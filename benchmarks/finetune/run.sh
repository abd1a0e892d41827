#!/usr/bin/env bash
# Fine-tuning speed: mergelab vs transformers' Trainer (its defaults: fused AdamW) on CPU, in one invocation:
# same seeded checkpoint, same Yelp sentences, batch size, max length, one epoch, thread count. Each side runs
# REPEATS times, alternating; the medians and their ratio go to benchmarks/finetune/results/PRESET-Nt.json, and
# BENCHMARKS.md's "## Fine-tuning" table is rebuilt from every results file.
#   benchmarks/finetune/run.sh [THREADS] [PRESET] [REPEATS] [SENTENCES]
#     THREADS default nproc; PRESET small (default) or gpt2 (124M); REPEATS default 3;
#     SENTENCES: the first N Yelp sentences (default all 1000 for small, 160 = 20 steps for gpt2)
# Needs the reference venv (tools/golden/setup-venv.sh -> .cache/golden-venv). Run it on an idle machine:
# one side at a time, nothing else running.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
THREADS="${1:-$(nproc)}"
PRESET="${2:-small}"
REPEATS="${3:-3}"
case "$PRESET" in
  small) SENTENCES="${4:-1000}" ;;
  gpt2) SENTENCES="${4:-160}" ;;
  *) echo "preset must be small or gpt2, got $PRESET" >&2; exit 2 ;;
esac
BATCH=8
MAXLEN=128
PY="${GOLDEN_VENV:-$ROOT/.cache/golden-venv}/bin/python"
[[ -x "$PY" ]] || tools/golden/setup-venv.sh >&2
WORK="$ROOT/target/bench/finetune"
mkdir -p "$WORK" benchmarks/finetune/results

# main classes + runtime class path only (no test compilation), launched like bin/mergelab does
mvn -B -q -o compile >&2
mvn -B -q -o dependency:build-classpath -Dmdep.includeScope=runtime -Dmdep.outputFile="$WORK/cp.txt" >&2
rm -rf "$WORK/classes" && cp -r "$ROOT/target/classes" "$WORK/classes" # immune to rebuilds during the run
mergelab() {
  "$ROOT/bin/native-env" java -Xmx8g -Dai.djl.offline=true -cp "$WORK/classes:$(cat "$WORK/cp.txt")" \
    io.mergelab.cli.Main "$@"
}

MODEL="$WORK/$PRESET-seed1234"
if [[ ! -f "$MODEL/model.safetensors" ]]; then
  mergelab init-model --preset "$PRESET" --seed 1234 --out "$MODEL" --overwrite >&2
fi
DATA="$WORK/yelp-$SENTENCES.txt"
head -n "$SENTENCES" data/uci-sentiment/yelp_labelled.txt > "$DATA"
sed "s|^path: .*|path: yelp-$SENTENCES.txt|" benchmarks/finetune/yelp-all.yaml > "$WORK/yelp-$SENTENCES.yaml"

export OMP_NUM_THREADS="$THREADS" MKL_NUM_THREADS="$THREADS"
: > "$WORK/runs.jsonl"
for r in $(seq 1 "$REPEATS"); do
  echo "[bench] $PRESET, $THREADS threads, run $r/$REPEATS: transformers Trainer" >&2
  "$PY" benchmarks/finetune/hf_trainer.py --model "$MODEL" --data "$DATA" --batch-size "$BATCH" \
    --max-length "$MAXLEN" --epochs 1 --threads "$THREADS" --out "$WORK/hf-out" | tail -1 >> "$WORK/runs.jsonl"
  echo "[bench] $PRESET, $THREADS threads, run $r/$REPEATS: mergelab finetune" >&2
  mergelab finetune --model "$MODEL" --dataset "$WORK/yelp-$SENTENCES.yaml" --out "$WORK/ml-out" --overwrite \
    --threads "$THREADS" --no-progress --set per_device_train_batch_size=$BATCH --set max_length=$MAXLEN \
    --set num_train_epochs=1 --set learning_rate=2e-5 --set weight_decay=0.01 --set save_strategy=no >&2
  "$PY" -c 'import json,sys; m=json.load(open(sys.argv[1])); print(json.dumps({"impl": "mergelab",
    "tokens_per_second": m["train_tokens_per_second"], "train_loss": m["train_loss"]}))' \
    "$WORK/ml-out/metrics.json" >> "$WORK/runs.jsonl"
done

"$PY" - "$WORK/runs.jsonl" "$PRESET" "$THREADS" "$BATCH" "$MAXLEN" "$SENTENCES" <<'PYEOF'
import datetime, glob, json, os, platform, re, statistics, sys
runs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
preset, threads, batch, maxlen, sentences = sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5], int(sys.argv[6])
hf = [r for r in runs if r["impl"] == "transformers"]
ml = [r for r in runs if r["impl"] == "mergelab"]
med = lambda rs: statistics.median(r["tokens_per_second"] for r in rs)
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.machine())
result = {"date": str(datetime.date.today()), "cpu": cpu, "preset": preset, "threads": threads,
          "sentences": sentences, "batch": int(batch), "max_length": int(maxlen), "repeats": len(ml),
          "torch": hf[0]["torch"], "transformers_tokens_per_second": [round(r["tokens_per_second"], 1) for r in hf],
          "mergelab_tokens_per_second": [round(r["tokens_per_second"], 1) for r in ml],
          "ratio": round(med(ml) / med(hf), 3), "transformers_loss": hf[-1]["train_loss"],
          "mergelab_loss": ml[-1]["train_loss"], "load_avg": round(os.getloadavg()[0], 1)}
path = f"benchmarks/finetune/results/{preset}-{threads}t.json"
open(path, "w").write(json.dumps(result, indent=1) + "\n")

rows = []
for f in sorted(glob.glob("benchmarks/finetune/results/*.json")):
    r = json.load(open(f))
    rows.append(f"| {r['preset']} | {r['threads']} | {r['sentences']} | {statistics.median(r['transformers_tokens_per_second']):.0f} "
                f"| {statistics.median(r['mergelab_tokens_per_second']):.0f} | **{r['ratio']:.2f}×** | {r['repeats']} "
                f"| {r['transformers_loss']:.4f} / {r['mergelab_loss']:.4f} | {r['date']}, {r['cpu']}, load {r['load_avg']} |")
section = ("## Fine-tuning\n\n"
    "`benchmarks/finetune/run.sh THREADS PRESET` — a seeded factory checkpoint (`small`: 4 layers × 256; `gpt2`: the\n"
    "124M architecture), the first N Yelp sentences, batch 8, max_length 128, one epoch, dynamic padding, AdamW lr 2e-5\n"
    "wd 0.01, transformers' Trainer with its defaults (fused AdamW) against `mergelab finetune` with its defaults.\n"
    "tokens/s = non-pad training tokens / training time (transformers: `train_runtime`; mergelab: the training steps),\n"
    "median of the repeats, the two sides alternating. Rebuilt from `benchmarks/finetune/results/*.json`.\n"
    "The train losses differ because the dropout masks come from different generators (DJL's libtorch, Python's torch)\n"
    "and, with two threads, transformers' from run to run; with dropout off the two agree step for step to 2e-7\n"
    "(`FineTuneGoldenTest`).\n\n"
    "| preset | threads | sentences | transformers tokens/s | mergelab tokens/s | mergelab / transformers | repeats | train loss (transformers / mergelab) | measured |\n"
    "|---|---:|---:|---:|---:|---:|---:|---|---|\n" + "\n".join(rows) + "\n")
sys.path.insert(0, "benchmarks")
from bench_section import replace_section
replace_section("Fine-tuning", section)
print(f"{preset}, {threads} threads: mergelab {med(ml):.0f} tokens/s, transformers {med(hf):.0f} tokens/s, "
      f"ratio {result['ratio']:.2f}x (medians of {len(ml)})")
PYEOF
