"""How much of a randomly batched, right-padded batch is padding, for the fine-tuning benchmark's data:
the first N Yelp sentences tokenized with GPT-2's tokenizer, truncated to max_length, batches of `batch` in
three seeded random orders (both trainers shuffle). Prints one JSON line. Run with the reference venv:
  .cache/golden-venv/bin/python benchmarks/finetune/padding.py [SENTENCES] [BATCH] [MAX_LENGTH]"""
import json
import random
import sys

from transformers import AutoTokenizer

n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
batch = int(sys.argv[2]) if len(sys.argv) > 2 else 8
max_length = int(sys.argv[3]) if len(sys.argv) > 3 else 128
tok = AutoTokenizer.from_pretrained("data/gpt2-tokenizer")
texts = [l.rsplit("\t", 1)[0] for l in open("data/uci-sentiment/yelp_labelled.txt", encoding="utf-8") if l.strip()][:n]
lengths = [min(max_length, len(tok(t)["input_ids"])) for t in texts]
fractions = []
for seed in range(3):
    order = list(range(len(lengths)))
    random.Random(seed).shuffle(order)
    real = padded = 0
    for i in range(0, len(order), batch):
        b = [lengths[j] for j in order[i:i + batch]]
        real += sum(b)
        padded += max(b) * len(b)
    fractions.append(round(1 - real / padded, 4))
print(json.dumps({"sentences": len(lengths), "batch": batch, "max_length": max_length, "min_tokens": min(lengths),
                  "max_tokens": max(lengths), "mean_tokens": round(sum(lengths) / len(lengths), 2),
                  "padding_fraction": fractions}))
