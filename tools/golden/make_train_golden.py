#!/usr/bin/env python3
"""Golden values for mergelab's optimiser step (io.mergelab.train.AdamWGoldenTest).

Three steps of exactly what transformers' Trainer does per update, on small seeded tensors:
clip_grad_norm_(max_norm) -> AdamW (torch.optim.AdamW, decay group + no-decay group) -> linear warm-up/decay
schedule (transformers.get_linear_schedule_with_warmup). Gradients are given, not computed, so the Java test
can reproduce them exactly (d/dp sum(p * g) = g).

Usage: .cache/golden-venv/bin/python tools/golden/make_train_golden.py src/test/resources/golden/train/adamw.json
"""
import json
import sys

import torch
from transformers import get_linear_schedule_with_warmup, get_cosine_schedule_with_warmup


def main(out_path):
    torch.manual_seed(20261123)
    names = ["h.0.attn.c_attn.weight", "h.0.attn.c_attn.bias", "h.0.ln_1.weight"]
    shapes = [(3, 4), (4,), (4,)]
    params = [torch.nn.Parameter(torch.randn(*s)) for s in shapes]
    initial = [p.detach().clone() for p in params]
    lr, wd, max_norm, steps = 1e-2, 0.1, 1.0, 3
    opt = torch.optim.AdamW([{"params": [params[0]], "weight_decay": wd},
                             {"params": params[1:], "weight_decay": 0.0}],
                            lr=lr, betas=(0.9, 0.999), eps=1e-8)
    sched = get_linear_schedule_with_warmup(opt, num_warmup_steps=1, num_training_steps=4)
    record = {"names": names, "shapes": [list(s) for s in shapes], "lr": lr, "weight_decay": wd,
              "max_grad_norm": max_norm, "warmup_steps": 1, "total_steps": 4,
              "initial": [p.flatten().tolist() for p in initial], "steps": []}
    for step in range(steps):
        grads = [torch.randn(*s) * (3.0 if step == 0 else 0.2) for s in shapes]  # step 0 clips, later ones do not
        for p, g in zip(params, grads):
            p.grad = g.clone()
        norm = torch.nn.utils.clip_grad_norm_(params, max_norm)
        used_lr = sched.get_last_lr()[0]
        opt.step()
        sched.step()
        opt.zero_grad()
        record["steps"].append({"grads": [g.flatten().tolist() for g in grads], "grad_norm": float(norm),
                                "lr": used_lr, "params": [p.detach().flatten().tolist() for p in params]})

    # schedules: lr multipliers per step for linear and cosine with warm-up (10 steps, 3 warm-up)
    def lambdas(factory):
        o = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
        s = factory(o, num_warmup_steps=3, num_training_steps=10)
        out = []
        for _ in range(10):
            out.append(s.get_last_lr()[0])
            o.step()
            s.step()
        return out
    record["schedule_linear"] = lambdas(get_linear_schedule_with_warmup)
    record["schedule_cosine"] = lambdas(get_cosine_schedule_with_warmup)
    record["torch"] = torch.__version__
    with open(out_path, "w") as f:
        json.dump(record, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
