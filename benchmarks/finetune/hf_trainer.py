#!/usr/bin/env python3
"""transformers Trainer side of benchmarks/finetune/run.sh: fine-tune a GPT-2 checkpoint on the Yelp sentences
(text<TAB>label) on CPU and print one JSON line with tokens/s (non-pad tokens / train_runtime)."""
import argparse
import json
import time

import torch
from transformers import (AutoTokenizer, DataCollatorWithPadding, GPT2ForSequenceClassification, Trainer,
                          TrainingArguments)


class ListDataset(torch.utils.data.Dataset):
    def __init__(self, rows):
        self.rows = rows

    def __len__(self):
        return len(self.rows)

    def __getitem__(self, i):
        return self.rows[i]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--batch-size", type=int, default=8)
    ap.add_argument("--max-length", type=int, default=128)
    ap.add_argument("--epochs", type=float, default=1)
    ap.add_argument("--threads", type=int, required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    tok = AutoTokenizer.from_pretrained(a.model)
    tok.pad_token = tok.eos_token
    rows, tokens = [], 0
    with open(a.data, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if "\t" not in line:
                continue
            text, label = line.rsplit("\t", 1)
            ids = tok(text.strip(), truncation=True, max_length=a.max_length)
            tokens += len(ids["input_ids"])
            rows.append({"input_ids": ids["input_ids"], "attention_mask": ids["attention_mask"], "labels": int(label)})
    model = GPT2ForSequenceClassification.from_pretrained(a.model, num_labels=2)
    model.config.pad_token_id = tok.eos_token_id
    args = TrainingArguments(output_dir=a.out, per_device_train_batch_size=a.batch_size, num_train_epochs=a.epochs,
                             learning_rate=2e-5, weight_decay=0.01, eval_strategy="no", save_strategy="no",
                             report_to=[], use_cpu=True, dataloader_num_workers=0, logging_steps=50, seed=42,
                             disable_tqdm=True)
    trainer = Trainer(model=model, args=args, train_dataset=ListDataset(rows),
                      data_collator=DataCollatorWithPadding(tok))
    t0 = time.perf_counter()
    result = trainer.train()
    wall = time.perf_counter() - t0
    runtime = result.metrics["train_runtime"]
    epochs = a.epochs
    print(json.dumps({"impl": "transformers", "torch": torch.__version__, "threads": torch.get_num_threads(),
                      "examples": len(rows), "tokens_per_epoch": tokens, "train_runtime": runtime, "wall": wall,
                      "train_loss": result.training_loss, "tokens_per_second": tokens * epochs / runtime}))


if __name__ == "__main__":
    main()
