#!/usr/bin/env python3
"""Golden values for the task-vector analysis (io.mergelab.merge.analysis, TaskVectorAnalysisGoldenTest).

Writes a tiny GPT-2 base and three fine-tuned-like variants (config.json + model.safetensors each) and the
reference measures, computed here from the definitions in docs/analysis.md with numpy (nothing ported from the
Java code). Deterministic: numpy's PCG64 with fixed seeds, no timestamps; rerunning rewrites identical files.

  .cache/golden-venv/bin/python tools/golden/make_analysis_golden.py [OUT_DIR]
      (default OUT_DIR: src/test/resources/golden/analysis)

The checkpoints (n_layer 2, n_embd 8, vocab 96, n_positions 16; ~12 KB each):
  base  GPT2Model names (no "transformer." prefix), plus the causal-mask buffer h.0.attn.bias (excluded);
        weights on a 1/1024 grid, so every variant below that adds a 1/256-grid delta is exact in float32
  ft-a  GPT2ForSequenceClassification ("transformer." prefix) + score.weight (excluded: head, not in the base);
        tau = 0.6 S + 0.4 U_a on the 1/256 grid, 30 % of entries exactly 0 (many equal magnitudes: TIES ties)
  ft-b  like ft-a; tau = 0.5 S - 0.3 U_a + 0.5 U_b on the grid (shares S with ft-a, partly opposes U_a)
  ft-c  like ft-a, but tau is unquantised float noise (x - base rounds), tau = -0.4 S on the embeddings
        (anti-aligned), tau = 0 on block h.1 (a frozen layer: zero group vector), and ln_f.bias missing
        (excluded: missing from a variant)
S, U_* are per-tensor standard normals scaled by 0.05.

DARE masks are reproduced exactly: java.util.SplittableRandom (SplitMix64) seeded with mergelab's per-tensor seed
(FNV-1a 64 of the tensor name as the base stores it, xor seed * 0x9E3779B97F4A7C15), split once per variant in
order, two 32-bit draws per nextLong (low half first), keep when draw < ceil(p * 2^32); then the kept entries are
multiplied (float32) by float32(L1 before / L1 after).
"""
import json
import math
import os
import sys

import numpy as np
from safetensors.numpy import save_file

M64 = (1 << 64) - 1
GOLDEN_GAMMA = 0x9E3779B97F4A7C15
SEED = 7
TIES = [0.2, 0.5]
TOP_K = [0.01, 0.05, 0.1, 0.2, 0.5]
DARE = [0.1, 0.5, 0.9]
VARIANTS = ["ft-a", "ft-b", "ft-c"]
N_LAYER, N_EMBD, VOCAB, N_POS = 2, 8, 96, 16


def config(arch, labels=False):
    c = {"activation_function": "gelu_new", "architectures": [arch], "bos_token_id": 95, "eos_token_id": 95,
         "initializer_range": 0.02, "layer_norm_epsilon": 1e-05, "model_type": "gpt2", "n_ctx": N_POS,
         "n_embd": N_EMBD, "n_head": 2, "n_inner": None, "n_layer": N_LAYER, "n_positions": N_POS,
         "torch_dtype": "float32", "vocab_size": VOCAB}
    if labels:
        c.update({"id2label": {"0": "neg", "1": "neu", "2": "pos"}, "label2id": {"neg": 0, "neu": 1, "pos": 2},
                  "pad_token_id": 95})
    return c


def shapes():
    e, inner = N_EMBD, 4 * N_EMBD
    s = {"wte.weight": (VOCAB, e), "wpe.weight": (N_POS, e)}
    for i in range(N_LAYER):
        h = f"h.{i}."
        s.update({h + "ln_1.weight": (e,), h + "ln_1.bias": (e,), h + "attn.c_attn.weight": (e, 3 * e),
                  h + "attn.c_attn.bias": (3 * e,), h + "attn.c_proj.weight": (e, e), h + "attn.c_proj.bias": (e,),
                  h + "ln_2.weight": (e,), h + "ln_2.bias": (e,), h + "mlp.c_fc.weight": (e, inner),
                  h + "mlp.c_fc.bias": (inner,), h + "mlp.c_proj.weight": (inner, e), h + "mlp.c_proj.bias": (e,)})
    s.update({"ln_f.weight": (e,), "ln_f.bias": (e,)})
    return s


def make_models():
    rng = np.random.default_rng(20251206)
    grid = lambda x, q: (np.round(x * q) / q).astype(np.float32)
    base, tau = {}, {v: {} for v in VARIANTS}
    for name, shp in shapes().items():
        base[name] = grid(rng.normal(0, 0.5, shp), 1024)
        S, Ua, Ub, Uc = (rng.normal(0, 0.05, shp) for _ in range(4))
        zero_a = rng.random(shp) < 0.3
        zero_b = rng.random(shp) < 0.3
        tau["ft-a"][name] = np.where(zero_a, 0, grid(0.6 * S + 0.4 * Ua, 256)).astype(np.float32)
        tau["ft-b"][name] = np.where(zero_b, 0, grid(0.5 * S - 0.3 * Ua + 0.5 * Ub, 256)).astype(np.float32)
        if name.startswith("h.1."):
            c = np.zeros(shp)
        elif name.startswith(("wte.", "wpe.")):
            c = -0.4 * S
        else:
            c = 0.3 * S + 0.6 * Uc
        tau["ft-c"][name] = c.astype(np.float32)
    variants = {}
    for v in VARIANTS:
        variants[v] = {n: (base[n] + tau[v][n]).astype(np.float32) for n in base}
    del variants["ft-c"]["ln_f.bias"]
    return base, variants


def write_models(out, base, variants):
    d = os.path.join(out, "models", "base")
    os.makedirs(d, exist_ok=True)
    stored = dict(base)
    stored["h.0.attn.bias"] = np.tril(np.ones((N_POS, N_POS), np.float32)).reshape(1, 1, N_POS, N_POS)
    save_file(stored, os.path.join(d, "model.safetensors"), metadata={"format": "pt"})
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(config("GPT2Model"), f, indent=2, sort_keys=True)
        f.write("\n")
    head = np.random.default_rng(99).normal(0, 0.02, (3, N_EMBD)).astype(np.float32)
    for v, tensors in variants.items():
        d = os.path.join(out, "models", v)
        os.makedirs(d, exist_ok=True)
        stored = {"transformer." + n: t for n, t in tensors.items()}
        stored["score.weight"] = head
        save_file(stored, os.path.join(d, "model.safetensors"), metadata={"format": "pt"})
        with open(os.path.join(d, "config.json"), "w") as f:
            json.dump(config("GPT2ForSequenceClassification", labels=True), f, indent=2, sort_keys=True)
            f.write("\n")


# ---- java.util.SplittableRandom (SplitMix64) ---------------------------------------------------------------
def mix64(z):
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    return z ^ (z >> 31)


def mix_gamma(z):
    z = ((z ^ (z >> 33)) * 0xFF51AFD7ED558CCD) & M64
    z = ((z ^ (z >> 33)) * 0xC4CEB9FE1A85EC53) & M64
    z = (z ^ (z >> 33)) | 1
    n = bin(z ^ (z >> 1)).count("1")
    return z ^ 0xAAAAAAAAAAAAAAAA if n < 24 else z


class SplitMix:
    def __init__(self, seed, gamma=GOLDEN_GAMMA):
        self.seed, self.gamma = seed & M64, gamma

    def next_seed(self):
        self.seed = (self.seed + self.gamma) & M64
        return self.seed

    def next_long(self):
        return mix64(self.next_seed())

    def split(self):
        s = self.next_long()          # Java evaluates new SplittableRandom(nextLong(), mixGamma(nextSeed())) in order
        return SplitMix(s, mix_gamma(self.next_seed()))

    def next_longs(self, count):
        """count successive nextLong() values as uint64, vectorised."""
        i = np.arange(1, count + 1, dtype=np.uint64)
        with np.errstate(over="ignore"):
            z = np.uint64(self.seed) + np.uint64(self.gamma) * i
            z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
            z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
            z = z ^ (z >> np.uint64(31))
        self.seed = (self.seed + self.gamma * count) & M64
        return z


def to_signed(u):
    return u - (1 << 64) if u >= 1 << 63 else u


def tensor_seed(seed, name):
    h = 0xCBF29CE484222325
    for b in name.encode("utf-8"):
        h ^= b
        h = (h * 0x100000001B3) & M64
    return h ^ ((seed * GOLDEN_GAMMA) & M64)


def self_check():
    # java: new SplittableRandom(7); s1 = r.split(); s2 = r.split(); s1.nextLong(), s1.nextLong(), s2.nextLong()
    r = SplitMix(7)
    s1, s2 = r.split(), r.split()
    got = [to_signed(s1.next_long()), to_signed(s1.next_long()), to_signed(s2.next_long())]
    want = [-330404800768858770, 9134214102903477201, 4715754045022627005]
    assert got == want, (got, want)
    v = SplitMix(123).next_longs(3)
    w = SplitMix(123)
    assert [int(x) for x in v] == [w.next_long() for _ in range(3)]


# ---- the measures, from the definitions ---------------------------------------------------------------------
def top_mask(x, d):
    """TIES trim: the max(1, floor(d*n)) largest |x|, lowest index first among equal magnitudes."""
    n = x.size
    if d >= 1:
        return np.ones(n, bool)
    k = max(1, int(d * n))
    order = np.argsort(-np.abs(x.astype(np.float64)), kind="stable")
    m = np.zeros(n, bool)
    m[order[:k]] = True
    return m


def dare(x, p, rng):
    n = x.size
    draws = rng.next_longs((n + 1) // 2)
    halves = np.empty(2 * draws.size, np.uint64)
    halves[0::2] = draws & np.uint64(0xFFFFFFFF)
    halves[1::2] = draws >> np.uint64(32)
    keep = halves[:n] < np.uint64(math.ceil(p * 4294967296.0))
    out = np.where(keep, x, np.float32(0)).astype(np.float32)
    before, after = np.abs(x.astype(np.float64)).sum(), np.abs(out.astype(np.float64)).sum()
    if before >= 1e-7 and after >= 1e-7:
        out = (out * np.float32(before / after)).astype(np.float32)
    return out


def group_of(name):
    if name.startswith("h."):
        return "h." + name.split(".")[1]
    return "ln_f" if name.startswith("ln_f.") else "embeddings"


def analyse(base, variants):
    names = [n for n in shapes() if all(n in variants[v] for v in VARIANTS)]
    n_var = len(VARIANTS)
    trims = [1.0] + TIES
    # per scope: lists of per-tensor float32 task vectors (flattened), concatenated at the end
    scopes = {}
    dare_sq = {}
    top = {}
    for name in names:
        g = group_of(name)
        taus = [(variants[v][name] - base[name]).astype(np.float32).ravel() for v in VARIANTS]
        for s in ("model", g):
            scopes.setdefault(s, []).append(taus)
            ds = dare_sq.setdefault(s, np.zeros((n_var, len(DARE))))
            for j, p in enumerate(DARE):
                r = SplitMix(tensor_seed(SEED, name))
                for k in range(n_var):
                    rk = r.split()
                    ds[k, j] += np.sum(dare(taus[k], p, rk).astype(np.float64) ** 2)
            t1, t2 = top.setdefault(s, (np.zeros((n_var, len(TOP_K))), np.zeros((n_var, len(TOP_K)))))
            for k in range(n_var):
                a = np.abs(taus[k].astype(np.float64))
                for j, f in enumerate(TOP_K):
                    m = top_mask(taus[k], f)
                    t1[k, j] += a[m].sum()
                    t2[k, j] += (a[m] ** 2).sum()
    out = {}
    for s, per_tensor in scopes.items():
        T = [np.concatenate([t[k] for t in per_tensor]).astype(np.float64) for k in range(n_var)]
        trimmed = {d: [np.concatenate([np.where(top_mask(t[k], d), t[k], 0) for t in per_tensor]) for k in range(n_var)]
                   for d in trims}
        coords = T[0].size
        l2 = [float(np.sqrt(np.dot(x, x))) for x in T]
        l1 = [float(np.abs(x).sum()) for x in T]
        cos = [[(1.0 if l2[i] > 0 else 0.0) if i == j else
                (float(np.dot(T[i], T[j]) / (l2[i] * l2[j])) if l2[i] > 0 and l2[j] > 0 else 0.0)
                for j in range(n_var)] for i in range(n_var)]
        conflicts = []
        for d in trims:
            sg = np.sign(np.stack(trimmed[d]))
            any_pair = float(np.mean((sg > 0).any(axis=0) & (sg < 0).any(axis=0)))
            pw = [[0.0 if i == j else float(np.mean(sg[i] * sg[j] < 0)) for j in range(n_var)] for i in range(n_var)]
            conflicts.append({"trim_density": d, "any_pair": any_pair, "pairwise": pw})
        t1, t2 = top[s]
        sq = [x * x for x in l2]
        out[s] = {
            "tensors": len(per_tensor), "coordinates": coords, "l2_norm": l2, "l1_norm": l1, "cosine": cos,
            "sign_conflicts": conflicts,
            "top_k_l1_mass": [[float(t1[k, j] / l1[k]) if l1[k] > 0 else 0.0 for j in range(len(TOP_K))]
                              for k in range(n_var)],
            "top_k_l2_mass": [[float(t2[k, j] / sq[k]) if sq[k] > 0 else 0.0 for j in range(len(TOP_K))]
                              for k in range(n_var)],
            "dare_norm_ratio": [[float(np.sqrt(dare_sq[s][k, j] / sq[k])) if sq[k] > 0 else 0.0
                                 for j in range(len(DARE))] for k in range(n_var)],
        }
    return out


def main():
    self_check()
    out = sys.argv[1] if len(sys.argv) > 1 else "src/test/resources/golden/analysis"
    base, variants = make_models()
    write_models(out, base, variants)
    scopes = analyse(base, variants)
    golden = {
        "schema_version": 1,
        "source": {"generator": "tools/golden/make_analysis_golden.py", "numpy": np.__version__,
                   "command": ".cache/golden-venv/bin/python tools/golden/make_analysis_golden.py"},
        "base": "models/base", "variants": ["models/" + v for v in VARIANTS],
        "settings": {"ties_densities": TIES, "top_k": TOP_K, "dare_densities": DARE, "seed": SEED},
        "group_order": [g for g in scopes if g != "model"],
        "excluded": [{"tensor": "h.0.attn.bias", "reason_contains": "buffer"},
                     {"tensor": "ln_f.bias", "reason_contains": "missing from variant"},
                     {"tensor": "score.weight", "reason_contains": "not in the base"}],
        "scopes": scopes,
    }
    with open(os.path.join(out, "task-vectors.json"), "w") as f:
        json.dump(golden, f, indent=1)
        f.write("\n")
    print("wrote", out, "groups", golden["group_order"])


if __name__ == "__main__":
    main()
