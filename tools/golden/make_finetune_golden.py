#!/usr/bin/env python3
"""Golden values for mergelab's sequence-classification fine-tuning, from transformers + torch.

Usage (from the repo root, inside the golden venv -- see tools/golden/setup-venv.sh):
    .cache/golden-venv/bin/python tools/golden/make_finetune_golden.py src/test/resources/models/fake-gpt2 \
        src/test/resources/golden/train/finetune-fake-gpt2.json

GPT2ForSequenceClassification on the fake-gpt2 checkpoint (real 50 257-word vocabulary, 2-wide embeddings), two
labels, pad = eos, dropout 0, its new score head drawn with torch.manual_seed(0) (recorded, so the Java test starts
from the same head). 24 fixed sentences in the recorded order, micro-batches of 4 with dynamic right padding,
gradient accumulation 2 (each micro-batch's mean loss / 2), clip_grad_norm_ 1.0, AdamW as transformers' Trainer
builds it by default (torch.optim.AdamW fused=True, weight decay 0.01 except biases and LayerNorm), lr 1e-2
decaying linearly to 0 over the 3 steps. Recorded: each step's loss and gradient norm, then the final weights:
every tensor except wte whole, and of wte the rows the sentences use plus five rows none uses (only weight decay
moves those). The Java test (FineTuneGoldenTest) runs mergelab's FineTuner on the same rows with stated tolerances.
"""
from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import argparse
import json
import sys
from pathlib import Path

import torch
import transformers
from transformers import AutoTokenizer, GPT2ForSequenceClassification, get_linear_schedule_with_warmup

ROWS = [
    ("The food was great and the staff were friendly.", 1),
    ("Worst experience ever.", 0),
    ("I loved the pasta.", 1),
    ("The waiter ignored us for twenty minutes and then brought the wrong order.", 0),
    ("Battery life is excellent.", 1),
    ("It broke after two days.", 0),
    ("Highly recommended!", 1),
    ("Too expensive for what you get, and the screen scratches easily.", 0),
    ("This medication helped my headaches a lot.", 1),
    ("Side effects were terrible.", 0),
    ("Nice.", 1),
    ("Never again.", 0),
    ("The sound quality surprised me, crisp and loud.", 1),
    ("Customer support never answered my emails.", 0),
    ("Fast delivery, works as described.", 1),
    ("The app crashes every time I open it.", 0),
    ("My new favourite place for breakfast.", 1),
    ("Cold fries and a rude cashier.", 0),
    ("I sleep much better since I started taking it.", 1),
    ("Stopped working in a week.", 0),
    ("Great value.", 1),
    ("Dirty tables and slow service.", 0),
    ("Five stars, would buy again.", 1),
    ("Not worth the money.", 0),
]
BATCH = 4
ACCUM = 2
LR = 1e-2
WEIGHT_DECAY = 0.01
MAX_GRAD_NORM = 1.0
UNUSED_ROWS = [3, 31000, 42424, 49999, 50255]


def no_decay(name: str) -> bool:
    return "bias" in name or any(p in ("ln_1", "ln_2", "ln_f") for p in name.split("."))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model_dir")
    ap.add_argument("out_json")
    a = ap.parse_args(argv)
    torch.set_num_threads(1)

    tok = AutoTokenizer.from_pretrained(a.model_dir)
    pad = tok.eos_token_id
    torch.manual_seed(0)
    model = GPT2ForSequenceClassification.from_pretrained(
        a.model_dir, num_labels=2, pad_token_id=pad, resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0)
    model.train()
    score0 = model.score.weight.detach().clone()

    ids = [tok(t)["input_ids"] for t, _ in ROWS]
    used = sorted({i for row in ids for i in row})
    assert not set(UNUSED_ROWS) & set(used), "an 'unused' row is used"

    params = dict(model.named_parameters())
    opt = torch.optim.AdamW(
        [{"params": [p for n, p in params.items() if not no_decay(n)], "weight_decay": WEIGHT_DECAY},
         {"params": [p for n, p in params.items() if no_decay(n)], "weight_decay": 0.0}],
        lr=LR, fused=True)
    steps = len(ROWS) // (BATCH * ACCUM)
    sched = get_linear_schedule_with_warmup(opt, 0, steps)

    history = []
    micro = 0
    for step in range(steps):
        loss_sum = 0.0
        for _ in range(ACCUM):
            rows = list(range(micro * BATCH, (micro + 1) * BATCH))
            micro += 1
            width = max(len(ids[r]) for r in rows)
            input_ids = torch.tensor([ids[r] + [pad] * (width - len(ids[r])) for r in rows])
            mask = torch.tensor([[1] * len(ids[r]) + [0] * (width - len(ids[r])) for r in rows])
            labels = torch.tensor([ROWS[r][1] for r in rows])
            loss = model(input_ids=input_ids, attention_mask=mask, labels=labels).loss / ACCUM
            loss.backward()
            loss_sum += loss.item()
        norm = torch.nn.utils.clip_grad_norm_(model.parameters(), MAX_GRAD_NORM)
        lr = sched.get_last_lr()[0]
        opt.step()
        sched.step()
        opt.zero_grad(set_to_none=True)
        history.append({"step": step + 1, "loss": loss_sum, "grad_norm": float(norm), "learning_rate": lr})

    final = {}
    for n, p in model.named_parameters():
        if n == "transformer.wte.weight":
            continue
        final[n] = {"shape": list(p.shape), "values": p.detach().reshape(-1).tolist()}
    wte = model.transformer.wte.weight.detach()
    out = {
        "generator": "tools/golden/make_finetune_golden.py",
        "torch": torch.__version__, "transformers": transformers.__version__,
        "texts": [t for t, _ in ROWS], "labels": [l for _, l in ROWS],
        "batch_size": BATCH, "gradient_accumulation_steps": ACCUM, "learning_rate": LR,
        "weight_decay": WEIGHT_DECAY, "max_grad_norm": MAX_GRAD_NORM,
        "score_initial": score0.reshape(-1).tolist(),
        "history": history,
        "final": final,
        "wte_rows": {str(r): wte[r].tolist() for r in used + UNUSED_ROWS},
        "unused_rows": UNUSED_ROWS,
    }
    Path(a.out_json).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out_json).write_text(json.dumps(out, indent=1) + "\n")
    print(f"wrote {a.out_json}: {steps} steps, losses {[round(h['loss'], 6) for h in history]}, "
          f"{len(used)} used wte rows", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
