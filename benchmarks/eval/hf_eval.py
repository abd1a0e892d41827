#!/usr/bin/env python3
"""transformers side of benchmarks/eval/run.sh: classify the Yelp sentences with a GPT2ForSequenceClassification
checkpoint on CPU, batched, no gradients (torch.inference_mode), dynamic padding; prints one JSON line with the
forward passes' time (tokenizing and loading excluded), samples/s and tokens/s. --order input keeps the file's
order (Trainer.evaluate's sequential sampler); --order length sorts by length first, as mergelab's evaluation does."""
import argparse
import json
import time

import torch
from transformers import AutoTokenizer, GPT2ForSequenceClassification


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--max-length", type=int, default=128)
    ap.add_argument("--threads", type=int, required=True)
    ap.add_argument("--order", choices=["input", "length"], default="input")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    tok = AutoTokenizer.from_pretrained(a.model)
    model = GPT2ForSequenceClassification.from_pretrained(a.model).eval()
    pad = model.config.pad_token_id if model.config.pad_token_id is not None else tok.eos_token_id
    rows, labels = [], []
    with open(a.data, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if "\t" in line:
                text, label = line.rsplit("\t", 1)
                rows.append(tok(text.strip(), truncation=True, max_length=a.max_length)["input_ids"])
                labels.append(int(label))
    order = list(range(len(rows)))
    if a.order == "length":
        order.sort(key=lambda i: len(rows[i]))
    correct = 0
    t0 = time.perf_counter()
    with torch.inference_mode():
        for s in range(0, len(order), a.batch_size):
            idx = order[s:s + a.batch_size]
            width = max(len(rows[i]) for i in idx)
            ids = torch.tensor([rows[i] + [pad] * (width - len(rows[i])) for i in idx])
            mask = torch.tensor([[1] * len(rows[i]) + [0] * (width - len(rows[i])) for i in idx])
            pred = model(input_ids=ids, attention_mask=mask).logits.argmax(-1)
            correct += sum(int(p == labels[i]) for p, i in zip(pred.tolist(), idx))
    runtime = time.perf_counter() - t0
    tokens = sum(len(r) for r in rows)
    print(json.dumps({"impl": "transformers", "order": a.order, "torch": torch.__version__, "threads": a.threads,
                      "examples": len(rows), "eval_runtime": runtime, "samples_per_second": len(rows) / runtime,
                      "tokens_per_second": tokens / runtime, "accuracy": correct / len(rows)}))


if __name__ == "__main__":
    main()
