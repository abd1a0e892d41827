#!/usr/bin/env bash
# Peak resident memory (what an OOM killer or Slurm's --mem sees) of the longest steps, with RSS logged along
# the way (training history's rss_mb). Prints one Markdown row per case for BENCHMARKS.md ("## Memory").
#   benchmarks/memory/run.sh finetune-gpt2   # one epoch of the 124M `gpt2` preset on all 1000 Yelp sentences
#   benchmarks/memory/run.sh pretrain        # the quickstart_pretrained base: 9 000 sampled-softmax steps (~50 min)
# The whole study's peak: /usr/bin/time -v bin/mergelab run configs/quickstart_pretrained.yaml
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
WORK="$ROOT/target/bench/memory"
mkdir -p "$WORK"
peak() { # command... -> runs it under GNU time, prints its peak RSS in MB
  /usr/bin/time -f '%M' -o "$WORK/time.txt" "$@" >&2
  echo $(( $(tail -1 "$WORK/time.txt") / 1024 ))
}
curve() { # out dir -> "step:MB ..." from the training history
  python3 -c 'import json,sys; print(" ".join(f"{e["step"]}:{e["rss_mb"]:.0f}" for e in json.load(open(sys.argv[1]))["log_history"] if "rss_mb" in e))' \
    "$1/training_state.json"
}
row() { # case, peak MB, curve
  echo "| $(date +%F) | $(nproc) | $1 | $2 | $3 |"
}
case "${1:-}" in
  finetune-gpt2)
    MODEL="$WORK/gpt2-seed1234"
    [ -f "$MODEL/model.safetensors" ] || bin/mergelab init-model --preset gpt2 --seed 1234 --out "$MODEL" --overwrite >&2
    OUT="$WORK/finetune-gpt2"
    MB=$(peak bin/mergelab finetune --model "$MODEL" --dataset benchmarks/finetune/yelp-all.yaml --out "$OUT" \
      --overwrite --no-progress --set per_device_train_batch_size=8 --set max_length=128 --set num_train_epochs=1 \
      --set learning_rate=2e-5 --set save_strategy=no --set logging_steps=25)
    row "fine-tune \`gpt2\` preset (124M), 1 epoch, 1000 Yelp sentences, batch 8" "$MB" "$(curve "$OUT")" ;;
  pretrain)
    OUT="$WORK/pretrain-quickstart"
    MB=$(peak bin/mergelab pretrain --preset tiny --seed 42 --corpus data/imdb-reviews/reviews.txt \
      --corpus data/uci-sentiment/imdb_labelled.txt --corpus data/drugscom-sample/drugsComTrain_raw.tsv \
      --out "$OUT" --overwrite --no-progress --steps 9000 --sampled-softmax 4096 --max-length 128 --batch-size 16 \
      --learning-rate 2e-3 --set adam_beta2=0.95 --set warmup_ratio=0.02 --set logging_steps=500)
    row "pre-train \`tiny\`, 9 000 steps, sampled softmax 4096 (quickstart_pretrained's base)" "$MB" "$(curve "$OUT")" ;;
  *) echo "usage: $0 finetune-gpt2|pretrain" >&2; exit 2 ;;
esac
