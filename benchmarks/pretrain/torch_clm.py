"""The peer of benchmarks/pretrain/run.sh: the same pre-training steps in PyTorch + transformers (GPT2Model with the
tied output layer, fused AdamW (transformers' Trainer default), clip 1.0, dropout as the factory config, 2 threads like mergelab here), once with the full
softmax and once with mergelab's sampled softmax (the batch's targets + N uniform draws). Prints both tokens/s.
Usage: torch_clm.py STEPS NEGATIVES"""
import sys
import time

import torch
from transformers import GPT2Config, GPT2Model

steps, negatives = int(sys.argv[1]), int(sys.argv[2])
torch.set_num_threads(2)
torch.manual_seed(0)
V, B, T = 50257, 16, 128


def rate(k: int) -> float:
    m = GPT2Model(GPT2Config(n_layer=2, n_embd=128, n_head=2, n_positions=512))
    opt = torch.optim.AdamW(m.parameters(), lr=2e-3, weight_decay=0.01, fused=True)  # as transformers' Trainer defaults
    t0 = time.time()  # every step counts, as in mergelab's tokens/s
    for _ in range(steps):
        ids = torch.randint(0, V, (B, T))
        h = m(ids).last_hidden_state[:, :-1].reshape(-1, 128)
        y = ids[:, 1:].reshape(-1)
        w = m.wte.weight
        if k:
            cand = torch.unique(torch.cat([y, torch.randint(0, V, (k,))]))
            loss = torch.nn.functional.cross_entropy(h @ w[cand].T, torch.searchsorted(cand, y))
        else:
            loss = torch.nn.functional.cross_entropy(h @ w.T, y)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(m.parameters(), 1.0)
        opt.step()
    return steps * B * T / (time.time() - t0)


print(f"{rate(0):.0f} {rate(negatives):.0f}")
