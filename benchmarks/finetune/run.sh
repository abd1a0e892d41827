#!/usr/bin/env bash
# Fine-tuning speed: mergelab vs transformers' Trainer on CPU, same seeded `small` checkpoint, same data
# (all 1000 Yelp sentences), batch size, max length, epochs and thread count. Writes tokens/s of both and
# the ratio into BENCHMARKS.md (section "## Fine-tuning").
#   benchmarks/finetune/run.sh [THREADS]      (default: nproc)
# Needs the reference venv (tools/golden/setup-venv.sh -> .cache/golden-venv).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
THREADS="${1:-$(nproc)}"
BATCH=8
MAXLEN=128
EPOCHS=1
PY="${GOLDEN_VENV:-$ROOT/.cache/golden-venv}/bin/python"
WORK="$ROOT/target/bench/finetune"
mkdir -p "$WORK"

# main classes + runtime class path only (no test compilation), launched like bin/mergelab does
mvn -B -q -o compile >&2
mvn -B -q -o dependency:build-classpath -Dmdep.includeScope=runtime -Dmdep.outputFile="$WORK/cp.txt" >&2
rm -rf "$WORK/classes" && cp -r "$ROOT/target/classes" "$WORK/classes" # immune to rebuilds during the run
mergelab() {
  "$ROOT/bin/native-env" java -Xmx8g -Dai.djl.offline=true -cp "$WORK/classes:$(cat "$WORK/cp.txt")" \
    io.mergelab.cli.Main "$@"
}

MODEL="$WORK/small-seed1234"
if [[ ! -f "$MODEL/model.safetensors" ]]; then
  mergelab init-model --preset small --seed 1234 --out "$MODEL" --overwrite
fi

export OMP_NUM_THREADS="$THREADS" MKL_NUM_THREADS="$THREADS"
echo "[bench] transformers Trainer ($THREADS threads)" >&2
"$PY" benchmarks/finetune/hf_trainer.py --model "$MODEL" --data data/uci-sentiment/yelp_labelled.txt \
  --batch-size "$BATCH" --max-length "$MAXLEN" --epochs "$EPOCHS" --threads "$THREADS" --out "$WORK/hf-out" \
  | tail -1 > "$WORK/hf.json"
cat "$WORK/hf.json" >&2

echo "[bench] mergelab finetune ($THREADS threads)" >&2
mergelab finetune --model "$MODEL" --dataset benchmarks/finetune/yelp-all.yaml --out "$WORK/ml-out" --overwrite \
  --threads "$THREADS" --no-progress --set per_device_train_batch_size=$BATCH --set max_length=$MAXLEN \
  --set num_train_epochs=$EPOCHS --set learning_rate=2e-5 --set weight_decay=0.01 --set save_strategy=no >&2

"$PY" - "$WORK/hf.json" "$WORK/ml-out/metrics.json" "$THREADS" "$BATCH" "$MAXLEN" "$EPOCHS" <<'PYEOF'
import json, sys, platform, datetime, os, re
hf = json.load(open(sys.argv[1])); ml = json.load(open(sys.argv[2]))
threads, batch, maxlen, epochs = sys.argv[3:7]
ratio = ml["train_tokens_per_second"] / hf["tokens_per_second"]
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.machine())
load = os.getloadavg()[0]
section = f"""## Fine-tuning

`benchmarks/finetune/run.sh` — GPT-2 `small` preset (4 layers, 256 wide, seed 1234), all 1000 Yelp sentences,
batch {batch}, max_length {maxlen}, {epochs} epoch, dynamic padding, AdamW lr 2e-5 wd 0.01, {threads} CPU threads,
tokens/s = non-pad training tokens / training time (transformers: `train_runtime`; mergelab: forward+backward+update).

| date | CPU | load avg | transformers {hf['torch']} tokens/s | mergelab tokens/s | ratio (mergelab / transformers) |
|---|---|---|---|---|---|
| {datetime.date.today()} | {cpu} | {load:.1f} | {hf['tokens_per_second']:.0f} | {ml['train_tokens_per_second']:.0f} | **{ratio:.2f}×** |

Train loss after the epoch: transformers {hf['train_loss']:.4f}, mergelab {ml['train_loss']:.4f}.
"""
path = "BENCHMARKS.md"
text = open(path).read() if os.path.exists(path) else "# Benchmarks\n\nPerformance claims live here, each with the script that measures it.\n\n"
pattern = re.compile(r"## Fine-tuning\n.*?(?=\n## |\Z)", re.S)
text = pattern.sub(lambda m: section.rstrip("\n") + "\n", text) if pattern.search(text) else text.rstrip("\n") + "\n\n" + section
open(path, "w").write(text)
print(f"mergelab {ml['train_tokens_per_second']:.0f} tokens/s, transformers {hf['tokens_per_second']:.0f} tokens/s, ratio {ratio:.2f}x")
PYEOF
