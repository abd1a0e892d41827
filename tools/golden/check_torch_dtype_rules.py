#!/usr/bin/env python3
"""Checks the torch behaviour mergelab's bfloat16 / float16 merges reproduce (io.mergelab.merge.Precision,
TorchReductions, methods.TorchSort; docs/adding-a-merge-method.md). Run in the golden venv:

    .cache/golden-venv/bin/python tools/golden/check_torch_dtype_rules.py

Each check prints OK or fails with an AssertionError. A few seconds; torch only. The reduction orders are those of an
AVX2 CPU (the script prints the capability): on AVX-512 the lane count differs and those checks are expected to fail.
"""
from __future__ import annotations

import numpy as np
import torch

torch.manual_seed(0)
f32 = np.float32


def rt(x: torch.Tensor, dt) -> torch.Tensor:
    """float32 tensor rounded to dt and back."""
    return x.to(dt).to(torch.float32)


def check(name: str, ok: bool):
    assert ok, name
    print(f"OK  {name}")


def elementwise():
    for dt in (torch.bfloat16, torch.float16):
        a = (torch.randn(1 << 18) * torch.exp(torch.randn(1 << 18) * 3)).to(dt)
        b = (torch.randn(1 << 18) * torch.exp(torch.randn(1 << 18) * 3)).to(dt)
        for op in ("sub", "add", "mul", "div"):
            got, want = getattr(torch, op)(a, b).float(), rt(getattr(torch, op)(a.float(), b.float()), dt)
            check(f"{dt} {op}: float32 op, one rounding", bool(((got == want) | (got.isnan() & want.isnan())).all()))
        for s in (0.8, 0.3, 1 / 3):
            check(f"{dt} x * {s:.3f}: the Python scalar is float32",
                  bool(((a * s).float() == rt(a.float() * torch.tensor(s, dtype=torch.float32), dt)).all()))
        vals = np.random.default_rng(1).uniform(-2, 2, 10000).tolist()
        check(f"{dt} torch.tensor(floats, dtype): rounded through float32",
              bool((torch.tensor(vals, dtype=dt).float() == rt(torch.tensor(vals, dtype=torch.float32), dt)).all()))
    check("promote_types(F32, BF16) and (F16, BF16) are float32",
          torch.promote_types(torch.float32, torch.bfloat16) == torch.float32
          and torch.promote_types(torch.float16, torch.bfloat16) == torch.float32)


def zero_dim_float32_operand():
    """karcher: a float32 0-dim tensor (a norm, cos of one) with a bfloat16 / float16 tensor gives that type; as the
    second operand its float32 value is used, as the first it is cast to the type first. Also the comparison with a
    Python float casts the float (1e-8 is 0 in float16: multislerp's zero-mean test)."""
    for dt in (torch.bfloat16, torch.float16):
        x = (torch.randn(1 << 16) * 0.1).to(dt)
        s = torch.tensor(0.123456789, dtype=torch.float32)
        check(f"{dt} x * s, x / s: the float32 0-dim value, one rounding",
              bool(((x * s).float() == rt(x.float() * s, dt)).all())
              and bool(((x / s).float() == rt(x.float() / s, dt)).all()))
        check(f"{dt} s * x: s cast to {dt} first", bool(((s * x).float() == rt(rt(s, dt) * x.float(), dt)).all()))
    check("float16 0 < 1e-8 is False (1e-8 cast to float16 is 0); bfloat16 True",
          not bool(torch.tensor(0.0, dtype=torch.float16) < 1e-8)
          and bool(torch.tensor(0.0, dtype=torch.bfloat16) < 1e-8))
def scalars_and_promotion():
    """sce, ram, ramplus_tl, nearswap: where a Python float is cast to the dtype, and where a float32 tensor promotes."""
    for dt in (torch.bfloat16, torch.float16):
        eps = 1e-5
        x = torch.tensor([1e-5, 1.0001e-5, 9.99e-6, 1.002e-5]).to(dt)
        check(f"{dt} x > 1e-5: the Python scalar is cast to the dtype",
              bool(((x > eps) == (x.float() > rt(torch.tensor(eps), dt))).all()))
        y = torch.tensor([0.0, 1e-7, 1e-6, 1.0001e-6]).to(dt)
        check(f"{dt} clamp(min=1e-6): the bound is cast to the dtype",
              bool((y.clamp(min=1e-6).float() == rt(torch.tensor(1e-6), dt).expand(4)).all()))
        a = torch.randn(1 << 16).to(dt)
        check(f"{dt} 0.02 / x is x.reciprocal() * 0.02: two roundings",
              bool(((0.02 / a).float() == rt(rt(1 / a.float(), dt) * torch.tensor(0.02), dt)).all()))
        c = torch.randint(1, 4, (1 << 16,))
        check(f"{dt} x / int64 tensor: the dtype, one rounding",
              (a / c).dtype == dt and bool(((a / c).float() == rt(a.float() / c.float(), dt)).all()))
        check(f"{dt} x * float32 tensor: float32", (a.unsqueeze(0) * torch.ones(3, 1)).dtype == torch.float32)
        tv = (torch.randn(3, 1 << 16) * 0.01).to(dt)
        d = tv.double()
        ref = ((d - d.mean(0)) ** 2).mean(0)
        check(f"{dt} var(dim=0): in double, rounded to float32, then to the dtype",
              bool((torch.var(tv, dim=0, unbiased=False).float() == rt(ref.float(), dt)).all()))


def reductions():
    torch.set_num_threads(1)
    for dt in (torch.bfloat16, torch.float16):
        d = (torch.randn(3, 1 << 16) * 0.01).to(dt)
        df = d.float()
        check(f"{dt} sum(dim=0): float32 in order, one rounding", bool((d.sum(0).float() == rt(df[0] + df[1] + df[2], dt)).all()))
        check(f"{dt} mean(dim=0): float32 sum / n, one rounding",
              bool((d.mean(0).float() == rt((df[0] + df[1] + df[2]) / 3, dt)).all()))
    # norm order: one large square among many small ones tells the accumulation order apart
    x = np.full(1_000_000, 2.0 ** -4, np.float32)
    x[9] = 256.0
    lanes = np.zeros(8, f32)
    for blk in x.reshape(-1, 16):
        lanes = (lanes + blk[:8] * blk[:8]).astype(f32)
        lanes = (lanes + blk[8:] * blk[8:]).astype(f32)
    acc = f32(0)
    for v in lanes:
        acc = f32(acc + v)
    want = float(torch.tensor(float(np.sqrt(np.float64(acc))), dtype=torch.float32).to(torch.bfloat16))
    check("bfloat16 torch.norm: eight float32 lanes, 16 elements a step",
          torch.norm(torch.from_numpy(x).to(torch.bfloat16), dim=-1).item() == want)
    seq = np.cumsum((x * x).astype(f32), dtype=f32)[-1]
    want = float(torch.tensor(float(np.sqrt(np.float64(seq))), dtype=torch.float32).to(torch.float16))
    check("float16 torch.norm: sequential float32", torch.norm(torch.from_numpy(x).to(torch.float16), dim=-1).item() == want)
    # a norm along a strided dimension (nuslerp row-wise, after its transpose): torch's generic reduction, in order
    col = np.ones((1 << 20, 3), np.float32)  # sequentially each 1 is lost against 2^24; any other order keeps them
    col[9, 1] = 4096.0
    seq = np.cumsum((col[:, 1] * col[:, 1]).astype(f32), dtype=f32)[-1]
    for dt in (torch.bfloat16, torch.float16):
        want = float(torch.tensor(float(np.sqrt(np.float64(seq))), dtype=torch.float32).to(dt))
        check(f"{dt} torch.norm along a strided dimension: sequential float32",
              torch.norm(torch.from_numpy(col).to(dt).transpose(0, -1), dim=-1)[1].item() == want)
    torch.set_num_threads(2)
    rounded_halves = 0
    for _ in range(40):
        x = (torch.rand(300_000) * 0.02).to(torch.bfloat16)
        h = x.numel() // 2
        halves = x[:h].double().sum().to(torch.bfloat16).double() + x[h:].double().sum().to(torch.bfloat16).double()
        rounded_halves += float(x.sum()) == float(halves.to(torch.bfloat16))
    check("two threads: each thread's half of a long bfloat16 sum is rounded first", rounded_halves == 40)
    torch.set_num_threads(1)


def sort_ties():
    w = torch.tensor([((i * 37) % 11) / 8 for i in range(48)], dtype=torch.float32)
    stable = torch.sort(w, descending=True, stable=True).indices
    check("argsort(stable=False) is not stable (std::sort): equal values in an order of its own",
          not bool((torch.argsort(w, descending=True) == stable).all()))


def fused_addcmul():
    x = (torch.randn(1 << 16) * 0.05).to(torch.bfloat16)
    r = torch.zeros(1 << 16)
    r.addcmul_(x, torch.tensor([0.3]))
    r.addcmul_(x, torch.tensor([0.7]))
    xf = x.float().numpy().astype(np.float64)
    fma = (f32(xf * f32(0.3)).astype(np.float64) + xf * np.float64(f32(0.7))).astype(f32)
    check("addcmul_ (linear) is a fused multiply-add on this CPU", bool((r.numpy() == fma).all()))


if __name__ == "__main__":
    print("torch", torch.__version__, "CPU capability", torch.backends.cpu.get_cpu_capability())
    elementwise()
    zero_dim_float32_operand()
    scalars_and_promotion()
    reductions()
    sort_ties()
    fused_addcmul()
