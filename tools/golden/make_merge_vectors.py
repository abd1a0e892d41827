#!/usr/bin/env python3
"""8-element reference vectors for the merge methods (MergePropertiesTest.referenceVectors).

Usage (from the repo root; any Python >= 3.10 with numpy, e.g. the golden venv):
    .cache/golden-venv/bin/python tools/golden/make_merge_vectors.py \
        src/test/resources/golden/merge/reference-vectors.json

Small hand-checkable cases of mergekit's per-tensor formulas, written out here in numpy (no torch, no mergekit
needed; make_merge_golden.py is the end-to-end parity check that runs mergekit itself on real checkpoints):

* task_arithmetic: B + sum_i w_i (X_i - B)                                    (normalize false, lambda 1)
* ties: magnitude top-k per model (k = int(density * N), no tie at the k-th place), weights applied before the
  sign election ("sum": majority +1 where sum_i w_i d_i >= 0), per element sum_agree w_i d_i / sum_agree w_i
  (normalize true; divisor 0 -> 1) or no division (normalize false); rescale: the kept entries scaled to the
  task vector's L1 norm (skipped if either norm < 1e-7)
* slerp (base first): on the whole flattened tensors, u = v / ||v|| (if ||v|| > 1e-8), dot = u0.u1, lerp if
  |dot| > 0.9995, else theta = acos(dot) and sin((1-t) theta)/sin(theta) v0 + sin(t theta)/sin(theta) v1
* model_stock (filter_wise false): offsets o_i = X_i - B, cos = mean over pairs of o_i.o_j / max(||o_i|| ||o_j||,
  1e-6) clamped to [-1, 1], t = N cos / (1 + (N - 1) cos), result t mean(X) + (1 - t) B

Arithmetic: float32 element-wise, as mergekit computes it (weights rounded to float32; under numpy 2 the slerp
coefficients are float32 too). The whole-vector reductions (norms, dot products, L1 sums) are taken in float64 and
rounded to float32, so the output does not depend on numpy's or BLAS's summation order; mergekit's own float32
reductions can differ from them in the last bit, which the Java test's tolerance covers.

Deterministic: the same numpy gives a byte-identical file. Values are written as repr(float(x)) of float32 x, so
Float.parseFloat gives the identical float (as in make_merge_golden.py).
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import numpy as np

F32 = np.float32

B = [0.1, 0.2, -0.3, 0.4, 0.0, -0.1, 0.5, 1.0]
DELTAS = {
    "A": [0.5, -1.0, 2.0, -3.0, 0.1, 0.2, -0.05, 4.0],
    "Bm": [-0.4, 0.3, 1.0, 2.5, -0.2, 0.0, 0.6, -1.0],
    "C": [0.3, -0.2, 1.5, -1.0, 0.05, 0.1, 0.2, 2.0],
}


def f32(xs) -> np.ndarray:
    return np.asarray(xs, dtype=F32)


def reduce32(x: np.ndarray) -> np.float32:
    """A whole-vector sum taken in float64, rounded once to float32."""
    return F32(np.sum(x.astype(np.float64)))


def norm32(x: np.ndarray) -> np.float32:
    return F32(np.sqrt(np.sum(np.square(x.astype(np.float64)))))


def magnitude_mask(delta: np.ndarray, density: float) -> np.ndarray:
    if density >= 1:
        return np.ones_like(delta)
    k = int(density * delta.size)
    assert k > 0, "k = 0 (mergekit raises)"
    mags = np.sort(np.abs(delta))[::-1]
    assert k == delta.size or mags[k - 1] != mags[k], "tie at the k-th magnitude: torch's order would decide"
    keep = np.argsort(-np.abs(delta), kind="stable")[:k]
    mask = np.zeros_like(delta)
    mask[keep] = 1
    return mask


def sparsify_magnitude(delta: np.ndarray, density: float, rescale: bool) -> np.ndarray:
    if density >= 1:
        return delta
    masked = delta * magnitude_mask(delta, density)
    if not rescale:
        return masked
    before, after = reduce32(np.abs(delta)), reduce32(np.abs(masked))
    if before < 1e-7 or after < 1e-7:
        return masked
    return masked * F32(before / after)


def task_family(base, models, consensus: bool, normalize: bool, rescale: bool = False) -> np.ndarray:
    """models: [(tensor, weight, density)]; sparsification is magnitude top-k (ties) or none (density 1)."""
    deltas = np.stack([sparsify_magnitude(x - base, d, rescale) for x, _, d in models])
    w = f32([wt for _, wt, _ in models])[:, None]
    wd = deltas * w
    if consensus:
        majority = np.where(wd.sum(axis=0) >= 0, F32(1), F32(-1))
        mask = (np.sign(wd) == majority).astype(F32)
        mixed = (wd * mask).sum(axis=0)
        divisor = (w * mask).sum(axis=0)
        divisor[divisor == 0] = 1
    else:
        mixed = wd.sum(axis=0)
        divisor = w.sum(axis=0)
        divisor[np.abs(divisor) < 1e-8] = 1
    if normalize:
        mixed = mixed / divisor
    return (base + mixed).astype(F32)


def slerp(t: float, v0: np.ndarray, v1: np.ndarray) -> np.ndarray:
    t = F32(t)
    n0, n1 = norm32(v0), norm32(v1)
    u0 = v0 / n0 if n0 > 1e-8 else v0
    u1 = v1 / n1 if n1 > 1e-8 else v1
    dot = reduce32(u0 * u1)
    if np.abs(dot) > 0.9995:
        return ((F32(1) - t) * v0 + t * v1).astype(F32)
    theta0 = np.arccos(dot)
    sin0 = np.sin(theta0)
    theta_t = theta0 * t
    s0 = np.sin(theta0 - theta_t) / sin0
    s1 = np.sin(theta_t) / sin0
    return (s0 * v0 + s1 * v1).astype(F32)


def model_stock(base: np.ndarray, others: list[np.ndarray]) -> tuple[np.ndarray, np.float32]:
    offsets = [x - base for x in others]
    cosines = []
    for i in range(len(offsets)):
        for j in range(i + 1, len(offsets)):
            denom = max(norm32(offsets[i]) * norm32(offsets[j]), F32(1e-6))
            cosines.append(np.clip(reduce32(offsets[i] * offsets[j]) / denom, F32(-1), F32(1)))
    cos = F32(np.mean(np.asarray(cosines, dtype=F32)))
    n = F32(len(others))
    t = n * cos / (F32(1) + (n - F32(1)) * cos)
    mean = sum(others[1:], others[0].copy()) / n
    return (t * mean + (F32(1) - t) * base).astype(F32), t


def strings(a) -> list[str]:
    return [repr(float(x)) for x in np.asarray(a, dtype=F32).reshape(-1)]


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    out = Path(argv[0])
    base = f32(B)
    x = {name: (base + f32(d)).astype(F32) for name, d in DELTAS.items()}
    a, bm, c = x["A"], x["Bm"], x["C"]
    two_half = [(a, 0.6, 0.5), (bm, 0.4, 0.5)]
    ms, ms_t = model_stock(base, [a, c])
    cases = {
        "task_arithmetic": {
            "what": "task_arithmetic, base B, A (weight 0.6) and Bm (weight 0.4), normalize false, lambda 1",
            "expected": task_family(base, [(a, 0.6, 1.0), (bm, 0.4, 1.0)], consensus=False, normalize=False)},
        "ties": {
            "what": "ties, base B, A (weight 0.6) and Bm (weight 0.4), density 0.5 each, normalize true",
            "expected": task_family(base, two_half, consensus=True, normalize=True)},
        "ties_unnormalized": {
            "what": "as ties, normalize false",
            "expected": task_family(base, two_half, consensus=True, normalize=False)},
        "ties_rescaled": {
            "what": "as ties, rescale true (kept entries scaled to each task vector's L1 norm)",
            "expected": task_family(base, two_half, consensus=True, normalize=True, rescale=True)},
        "slerp": {
            "what": "slerp t 0.3, base A, other Bm",
            "expected": slerp(0.3, a, bm)},
        "model_stock": {
            "what": "model_stock, base B, others A and C",
            "t": repr(float(ms_t)),
            "expected": ms},
    }
    result = {
        "schema_version": 1,
        "source": {
            "generator": "tools/golden/make_merge_vectors.py",
            "command": "python3 tools/golden/make_merge_vectors.py " + argv[0],
            "numpy": np.__version__,
            "semantics": "mergekit's per-tensor formulas, float32 (see the script's docstring)",
        },
        "models": {"B": strings(base), **{name: strings(v) for name, v in x.items()}},
        "deltas": {name: strings(f32(d)) for name, d in DELTAS.items()},
        "cases": {name: {**case, "expected": strings(case["expected"])} for name, case in cases.items()},
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(result, indent=1)
    text = re.sub(r"\[\s+([^\[\]{}]*?)\s+\]", lambda m: "[" + " ".join(m.group(1).split()) + "]", text)  # a vector a line
    out.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
