#!/usr/bin/env bash
# Evaluation speed: `mergelab eval` against transformers (inference_mode, batched, dynamic padding) on CPU, same
# classifier checkpoint and the same 1000 Yelp sentences, batch 32, max length 128, THREADS threads, REPEATS runs
# each, alternating; medians of the forward passes' time (loading and tokenizing excluded on both sides). The
# transformers side runs in the file's order (what Trainer.evaluate does) and sorted by length (what mergelab does).
# Writes benchmarks/eval/results/PRESET-Nt.json and rebuilds BENCHMARKS.md's "## Evaluation" table.
#   benchmarks/eval/run.sh [THREADS] [PRESET] [REPEATS]     (defaults: nproc, small, 3)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
THREADS="${1:-$(nproc)}"
PRESET="${2:-small}"
REPEATS="${3:-3}"
PY="${GOLDEN_VENV:-$ROOT/.cache/golden-venv}/bin/python"
[[ -x "$PY" ]] || tools/golden/setup-venv.sh >&2
WORK="$ROOT/target/bench/eval"
mkdir -p "$WORK" benchmarks/eval/results
mvn -B -q -o compile >&2
mvn -B -q -o dependency:build-classpath -Dmdep.includeScope=runtime -Dmdep.outputFile="$WORK/cp.txt" >&2
rm -rf "$WORK/classes" && cp -r "$ROOT/target/classes" "$WORK/classes"
mergelab() {
  "$ROOT/bin/native-env" java -Xmx8g -Dai.djl.offline=true -cp "$WORK/classes:$(cat "$WORK/cp.txt")" \
    io.mergelab.cli.Main "$@"
}
BASE="$WORK/$PRESET-seed1234"
[[ -f "$BASE/model.safetensors" ]] || mergelab init-model --preset "$PRESET" --seed 1234 --out "$BASE" --overwrite >&2
MODEL="$WORK/$PRESET-classifier" # a classifier head: one fine-tuning step (speed does not depend on the weights)
[[ -f "$MODEL/metrics.json" ]] || mergelab finetune --model "$BASE" --dataset benchmarks/finetune/yelp-all.yaml \
  --out "$MODEL" --overwrite --no-progress --set max_steps=1 --set save_strategy=no >&2

export OMP_NUM_THREADS="$THREADS" MKL_NUM_THREADS="$THREADS"
: > "$WORK/runs.jsonl"
for r in $(seq 1 "$REPEATS"); do
  for order in input length; do
    "$PY" benchmarks/eval/hf_eval.py --model "$MODEL" --data data/uci-sentiment/yelp_labelled.txt --batch-size 32 \
      --max-length 128 --threads "$THREADS" --order "$order" | tail -1 >> "$WORK/runs.jsonl"
  done
  mergelab eval --model "$MODEL" --dataset benchmarks/finetune/yelp-all.yaml --split train --batch-size 32 \
    --max-length 128 --out "$WORK/ml-eval.json" > /dev/null
  "$PY" -c 'import json,sys; m=json.load(open(sys.argv[1])); print(json.dumps({"impl": "mergelab",
    "samples_per_second": m["eval_samples_per_second"], "tokens_per_second": m["eval_tokens_per_second"],
    "accuracy": m["accuracy"]}))' "$WORK/ml-eval.json" >> "$WORK/runs.jsonl"
done

"$PY" - "$WORK/runs.jsonl" "$PRESET" "$THREADS" <<'PYEOF'
import datetime, glob, json, os, platform, re, statistics, sys
runs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
preset, threads = sys.argv[2], int(sys.argv[3])
pick = lambda impl, order=None: [r["samples_per_second"] for r in runs
                                 if r["impl"] == impl and (order is None or r.get("order") == order)]
hf_in, hf_len, ml = pick("transformers", "input"), pick("transformers", "length"), pick("mergelab")
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.machine())
res = {"date": str(datetime.date.today()), "cpu": cpu, "preset": preset, "threads": threads, "examples": 1000,
       "batch": 32, "transformers_input_order": hf_in, "transformers_length_sorted": hf_len, "mergelab": ml,
       "ratio_vs_input_order": round(statistics.median(ml) / statistics.median(hf_in), 3),
       "ratio_vs_length_sorted": round(statistics.median(ml) / statistics.median(hf_len), 3),
       "accuracy": {"transformers": runs[0]["accuracy"], "mergelab": [r for r in runs if r["impl"] == "mergelab"][0]["accuracy"]},
       "load_avg": round(os.getloadavg()[0], 1)}
open(f"benchmarks/eval/results/{preset}-{threads}t.json", "w").write(json.dumps(res, indent=1) + "\n")
rows = []
for f in sorted(glob.glob("benchmarks/eval/results/*.json")):
    r = json.load(open(f))
    m = statistics.median
    rows.append(f"| {r['preset']} | {r['threads']} | {m(r['transformers_input_order']):.0f} | {m(r['transformers_length_sorted']):.0f} "
                f"| {m(r['mergelab']):.0f} | **{r['ratio_vs_input_order']:.2f}×** | {r['ratio_vs_length_sorted']:.2f}× "
                f"| {r['accuracy']['transformers']:.3f} / {r['accuracy']['mergelab']:.3f} | {r['date']}, {r['cpu']}, load {r['load_avg']} |")
section = ("## Evaluation\n\n"
    "`benchmarks/eval/run.sh THREADS PRESET` — `mergelab eval` against transformers' GPT2ForSequenceClassification under\n"
    "`torch.inference_mode()`, same classifier checkpoint, the 1000 Yelp sentences, batch 32, max_length 128, dynamic\n"
    "padding; samples/s over the forward passes (loading and tokenizing excluded), median of the repeats. mergelab\n"
    "batches sentences of similar length together; transformers is measured in the file's order (what `Trainer.evaluate`\n"
    "does) and sorted by length the same way. Rebuilt from `benchmarks/eval/results/*.json`.\n\n"
    "| preset | threads | transformers samples/s (input order) | transformers (length-sorted) | mergelab samples/s | mergelab / transformers | vs length-sorted | accuracy (transformers / mergelab) | measured |\n"
    "|---|---:|---:|---:|---:|---:|---:|---|---|\n" + "\n".join(rows) + "\n")
sys.path.insert(0, "benchmarks")
from bench_section import replace_section
replace_section("Evaluation", section, before="Pre-training throughput")
print(f"{preset}, {threads} threads: mergelab {statistics.median(ml):.0f} samples/s, transformers "
      f"{statistics.median(hf_in):.0f} (input order) / {statistics.median(hf_len):.0f} (length-sorted); ratios "
      f"{res['ratio_vs_input_order']:.2f}x / {res['ratio_vs_length_sorted']:.2f}x")
PYEOF
