#!/usr/bin/env python3
"""Golden values for mergelab's causal-LM pre-training, from Hugging Face transformers + torch.

Usage (from the repo root, inside the golden venv -- see tools/golden/setup-venv.sh):
    bin/mergelab init-model --preset tiny --seed 7 --out target/golden/tiny-seed7
    .cache/golden-venv/bin/python tools/golden/make_clm_golden.py target/golden/tiny-seed7 \
        src/test/resources/golden/pretrain/clm-tiny-seed7.json

Fixed texts are tokenized, joined with <|endoftext|> and cut into 2 blocks of 16 tokens (run_clm's
group_texts). Recorded: GPT2LMHeadModel(labels=input_ids).loss of the fixed checkpoint on those blocks, then
3 optimiser steps on them exactly as mergelab configures them (dropout 0, torch.optim.AdamW lr 1e-2 constant,
weight decay 0.01 except biases and LayerNorm, clip_grad_norm_ 1.0; lm_head tied to wte), with the loss and
gradient norm of each step and the loss after the last. Also recorded, on the fixed checkpoint: the
sampled-softmax loss (mergelab's SampledSoftmax: cross-entropy over a candidate subset of the vocabulary,
the blocks' targets plus every 499th id from 3) and the global gradient norm of that loss. The Java test
(CausalLmGoldenTest) compares with stated tolerances.
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
from transformers import AutoTokenizer, GPT2LMHeadModel

TEXTS = [
    "The battery lasts all day and the screen is bright.",
    "Terrible service, the food was cold and the waiter was rude.",
    "I have been taking this medication for two weeks with no side effects.",
    "Not worth the money.",
]
BLOCK = 16
BLOCKS = 2
LR = 1e-2
WEIGHT_DECAY = 0.01
MAX_GRAD_NORM = 1.0
STEPS = 3


def no_decay(name: str) -> bool:
    return "bias" in name or any(p in ("ln_1", "ln_2", "ln_f") for p in name.split("."))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model_dir")
    ap.add_argument("out_json")
    a = ap.parse_args(argv)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)

    tok = AutoTokenizer.from_pretrained(a.model_dir)
    eos = tok.eos_token_id
    stream = []
    for t in TEXTS:
        stream += tok(t, add_special_tokens=False)["input_ids"] + [eos]
    if len(stream) < BLOCK * BLOCKS:
        raise SystemExit(f"texts give {len(stream)} tokens, need {BLOCK * BLOCKS}")
    ids = torch.tensor(stream[: BLOCK * BLOCKS]).view(BLOCKS, BLOCK)

    model = GPT2LMHeadModel.from_pretrained(a.model_dir, resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0,
                                            attn_implementation="eager")
    assert model.lm_head.weight.data_ptr() == model.transformer.wte.weight.data_ptr(), "lm_head must be tied"
    model.eval()
    with torch.no_grad():
        initial = model(ids, labels=ids).loss.item()

    # sampled softmax: logits over the candidates only (lm_head is wte, so rows of wte), targets remapped
    targets = ids[:, 1:]
    candidates = sorted(set(targets.flatten().tolist()) | set(range(3, model.config.vocab_size, 499)))
    cand = torch.tensor(candidates)
    remap = torch.searchsorted(cand, targets.contiguous())
    model.zero_grad()
    hidden = model.transformer(ids).last_hidden_state[:, :-1]
    logits = hidden @ model.transformer.wte.weight[cand].T
    sampled_loss = torch.nn.functional.cross_entropy(logits.reshape(-1, len(candidates)), remap.reshape(-1))
    sampled_loss.backward()
    sampled_norm = torch.sqrt(sum(p.grad.pow(2).sum() for p in model.parameters() if p.grad is not None))
    model.zero_grad()

    model.train()
    params = [(n, p) for n, p in model.named_parameters()]  # tied lm_head appears once (as wte)
    groups = [
        {"params": [p for n, p in params if not no_decay(n)], "weight_decay": WEIGHT_DECAY},
        {"params": [p for n, p in params if no_decay(n)], "weight_decay": 0.0},
    ]
    opt = torch.optim.AdamW(groups, lr=LR, betas=(0.9, 0.999), eps=1e-8, foreach=False)
    steps = []
    for _ in range(STEPS):
        opt.zero_grad()
        loss = model(ids, labels=ids).loss
        loss.backward()
        norm = torch.nn.utils.clip_grad_norm_(model.parameters(), MAX_GRAD_NORM)
        opt.step()
        steps.append({"loss": loss.item(), "grad_norm": norm.item()})
    model.eval()
    with torch.no_grad():
        final = model(ids, labels=ids).loss.item()

    out = {
        "generator": "tools/golden/make_clm_golden.py",
        "transformers": transformers.__version__,
        "torch": torch.__version__,
        "model": "factory tiny, seed 7 (bin/mergelab init-model --preset tiny --seed 7)",
        "texts": TEXTS,
        "block_size": BLOCK,
        "blocks": ids.tolist(),
        "loss_initial": initial,
        "training": {"learning_rate": LR, "weight_decay": WEIGHT_DECAY, "max_grad_norm": MAX_GRAD_NORM,
                     "lr_scheduler_type": "constant", "dropout": 0.0, "steps": steps},
        "loss_after_training": final,
        "sampled_softmax": {"candidates": candidates, "loss": sampled_loss.item(), "grad_norm": sampled_norm.item()},
    }
    Path(a.out_json).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out_json).write_text(json.dumps(out, indent=1) + "\n")
    print(json.dumps({k: out[k] for k in ("loss_initial", "loss_after_training")}), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
