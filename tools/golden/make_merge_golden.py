#!/usr/bin/env python3
"""Golden fixtures for mergelab's merge engine, produced by running mergekit itself.

Usage (from the repo root, with the reference venv):
    .cache/golden-venv/bin/python tools/golden/make_merge_golden.py \
        [--work target/golden-merge] [--out src/test/resources/golden/merge/merge-golden.json]

Steps:
 1. `bin/mergelab init-model --preset tiny --seed 7` gives the base GPT-2 (our factory, seeded).
 2. Three "fine-tuned" variants are derived from it with a deterministic integer-hash perturbation
    (`perturbation()` below; MergeGoldenTest re-creates the identical float32 tensors in Java), and all
    four are saved as GPT2ForSequenceClassification checkpoints with a 2-label score head.
 3. For each recipe in RECIPES, `mergekit-yaml` (CPU, float32) merges them; selected output values
    (small tensors whole, big ones as a strided sample plus float64 sums) go into one JSON file.
 4. DARE and DELLA with density < 1 use torch's RNG, so only statistics are recorded (kept fractions, L1 ratio).
    arcee_fusion gets its masks instead (kept indices, and those an ulp-level difference may flip), and for tensors
    over 10^6 elements, whose quantiles mergekit samples at random, the kept count's spread over torch seeds.
 5. mergekit_methods lists the methods mergekit registers, so MergeGoldenTest can demand a case for each one
    mergelab has too.

Deterministic: same pins + same factory output => same file.
"""
from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import argparse
import json
import shutil
import subprocess
import sys
import zlib
from pathlib import Path

import numpy as np
from safetensors.numpy import load_file, save_file

SEED = 7
LABELS = ["negative", "positive"]
MASK32 = 0xFFFFFFFF

# (name, recipe yaml with {base},{v1},{v2},{v3} placeholders)
RECIPES = {
    "linear": """
merge_method: linear
models:
  - model: {v1}
    parameters: {{weight: 0.5}}
  - model: {v2}
    parameters: {{weight: 0.3}}
  - model: {v3}
    parameters: {{weight: 0.2}}
dtype: float32
""",
    "task_arithmetic": """
merge_method: task_arithmetic
base_model: {base}
models:
  - model: {v1}
    parameters: {{weight: [1.0, 0.2]}}
  - model: {v2}
    parameters: {{weight: 0.4}}
  - model: {v3}
    parameters:
      weight: [{{filter: mlp, value: 0.9}}, {{value: 0.3}}]
parameters: {{lambda: 0.8}}
dtype: float32
""",
    "ties": """
merge_method: ties
base_model: {base}
models:
  - model: {v1}
    parameters: {{weight: 0.6, density: 0.5}}
  - model: {v2}
    parameters: {{weight: 0.4, density: 0.5}}
  - model: {v3}
    parameters: {{weight: 0.5, density: 0.3}}
dtype: float32
""",
    "dare_ties": """
merge_method: dare_ties
base_model: {base}
models:
  - model: {v1}
    parameters: {{weight: 0.6, density: 1.0}}
  - model: {v2}
    parameters: {{weight: 0.4, density: 1.0}}
  - model: {v3}
    parameters: {{weight: 0.5, density: 1.0}}
dtype: float32
""",
    "dare_linear": """
merge_method: dare_linear
base_model: {base}
models:
  - model: {v1}
    parameters: {{weight: 0.6}}
  - model: {v2}
    parameters: {{weight: 0.4}}
parameters: {{density: 1.0}}
dtype: float32
""",
    "breadcrumbs": """
merge_method: breadcrumbs
base_model: {base}
models:
  - model: {v1}
    parameters: {{weight: 0.6, density: 0.6, gamma: 0.05}}
  - model: {v2}
    parameters: {{weight: 0.4, density: 0.6, gamma: 0.05}}
dtype: float32
""",
    "breadcrumbs_ties": """
merge_method: breadcrumbs_ties
base_model: {base}
models:
  - model: {v1}
    parameters: {{weight: 0.6}}
  - model: {v2}
    parameters: {{weight: 0.4}}
  - model: {v3}
    parameters: {{weight: 0.5}}
parameters: {{density: 0.6, gamma: 0.05, normalize: true}}
dtype: float32
""",
    "della": """
merge_method: della
base_model: {base}
models:
  - model: {v1}
    parameters: {{weight: 0.6, density: 1.0}}
  - model: {v2}
    parameters: {{weight: 0.4, density: 1.0}}
dtype: float32
""",
    "slerp": """
merge_method: slerp
base_model: {base}
models:
  - model: {base}
  - model: {v1}
parameters:
  t: [{{filter: mlp, value: 0.7}}, {{value: [0.2, 0.6]}}]
dtype: float32
""",
    "model_stock": """
merge_method: model_stock
base_model: {base}
models:
  - model: {v1}
  - model: {v2}
  - model: {v3}
dtype: float32
""",
    "passthrough": """
merge_method: passthrough
slices:
  - sources:
      - model: {v1}
        layer_range: [0, 1]
  - sources:
      - model: {v2}
        layer_range: [1, 2]
    parameters: {{scale: 0.5}}
dtype: float32
""",
    # della_linear, sce, ram, ramplus_tl, nearswap, arcee_fusion
    "della_linear": """
merge_method: della_linear
base_model: {base}
models:
  - model: {v1}
    parameters: {{weight: 0.6, density: 1.0}}
  - model: {v2}
    parameters: {{weight: 0.3, density: 1.0}}
  - model: {v3}
    parameters: {{weight: 0.5, density: 1.0}}
parameters: {{lambda: 0.9}}
dtype: float32
""",
    "sce": """
merge_method: sce
base_model: {base}
models:
  - model: {v1}
  - model: {v2}
  - model: {v3}
dtype: float32
""",
    "sce_select_topk": """
merge_method: sce
base_model: {base}
models:
  - model: {v1}
  - model: {v2}
  - model: {v3}
parameters:
  select_topk: [{{filter: mlp, value: 0.3}}, {{value: 0.6}}]
  int8_mask: true
dtype: float32
""",
    "ram": """
merge_method: ram
base_model: {base}
models:
  - model: {v1}
  - model: {v2}
  - model: {v3}
dtype: float32
""",
    "ram_epsilon": """
merge_method: ram
base_model: {base}
models:
  - model: {v1}
  - model: {v2}
  - model: {v3}
parameters: {{epsilon: 0.03}}
dtype: float32
""",
    "ramplus_tl": """
merge_method: ramplus_tl
base_model: {base}
models:
  - model: {v1}
  - model: {v2}
  - model: {v3}
dtype: float32
""",
    "ramplus_tl_unclamped": """
merge_method: ramplus_tl
base_model: {base}
models:
  - model: {v1}
  - model: {v2}
  - model: {v3}
parameters: {{epsilon: 0.055, r: 0.3, alpha: 0.5}}
dtype: float32
""",
    "nearswap": """
merge_method: nearswap
base_model: {base}
models:
  - model: {v1}
parameters:
  t: [{{filter: mlp, value: 0.02}}, {{value: 0.005}}]
dtype: float32
""",
    "arcee_fusion": """
merge_method: arcee_fusion
base_model: {base}
models:
  - model: {v1}
dtype: float32
""",
    # nuslerp, multislerp, karcher: the key names the case, its first word the method
    "nuslerp": """
merge_method: nuslerp
models:
  - model: {v1}
    parameters: {{weight: 0.7}}
  - model: {v2}
    parameters: {{weight: [0.3, 0.9]}}
dtype: float32
""",
    "nuslerp_base": """
merge_method: nuslerp
base_model: {base}
models:
  - model: {v1}
    parameters: {{weight: 0.4}}
  - model: {v2}
    parameters: {{weight: 0.6}}
dtype: float32
""",
    "nuslerp_rows": """
merge_method: nuslerp
models:
  - model: {v1}
    parameters: {{weight: 0.25}}
  - model: {v3}
    parameters: {{weight: 0.75}}
parameters: {{nuslerp_flatten: false}}
dtype: float32
""",
    "nuslerp_row_wise_base": """
merge_method: nuslerp
base_model: {base}
models:
  - model: {v2}
    parameters:
      weight: [{{filter: mlp, value: 1.0}}, {{value: 0.3}}]
  - model: {v3}
    parameters:
      weight: [{{filter: mlp, value: -1.0}}, {{value: 0.5}}]
parameters: {{nuslerp_flatten: false, nuslerp_row_wise: true}}
dtype: float32
""",
    "multislerp": """
merge_method: multislerp
models:
  - model: {v1}
    parameters: {{weight: 0.5}}
  - model: {v2}
    parameters: {{weight: 0.3}}
  - model: {v3}
    parameters: {{weight: [0.2, 0.6]}}
dtype: float32
""",
    "multislerp_base": """
merge_method: multislerp
base_model: {base}
models:
  - model: {v1}
    parameters: {{weight: 0.6}}
  - model: {v2}
    parameters: {{weight: 0.4}}
  - model: {v3}
    parameters: {{weight: 0.5}}
dtype: float32
""",
    "multislerp_unnormalized_base": """
merge_method: multislerp
base_model: {base}
models:
  - model: {v1}
    parameters: {{weight: 0.6}}
  - model: {v2}
    parameters: {{weight: 0.9}}
parameters: {{normalize_weights: false}}
dtype: float32
""",
    "karcher": """
merge_method: karcher
models:
  - model: {v1}
  - model: {v2}
  - model: {v3}
dtype: float32
""",
    "karcher_base_one_step": """
merge_method: karcher
base_model: {base}
models:
  - model: {v1}
  - model: {v2}
parameters: {{max_iter: 1}}
dtype: float32
""",
    "karcher_tol": """
merge_method: karcher
models:
  - model: {base}
  - model: {v1}
  - model: {v2}
  - model: {v3}
parameters: {{max_iter: 50, tol: 1.0e-3}}
dtype: float32
""",
}

DARE_STATS = """
merge_method: dare_linear
base_model: {base}
models:
  - model: {v1}
    parameters: {{weight: 1.0, density: 0.5}}
dtype: float32
"""

DELLA_LINEAR_STATS = """
merge_method: della_linear
base_model: {base}
models:
  - model: {v1}
    parameters: {{weight: 1.0, density: 0.5, epsilon: 0.2}}
dtype: float32
"""
# An arcee_fusion element whose importance lies within this relative distance of mergekit's threshold may fall
# either way: torch's float32 KL divergence cancels heavily (up to 5.4e-4 relative from float64 on these fixtures).
ARCEE_NEAR = 2e-3
ARCEE_SEEDS = 32


def arcee_fusion_checks(models: dict, merged: dict) -> dict:
    """arcee_fusion's output is base + (v1 - base) * mask: for tensors up to 10^6 elements, mergekit's kept indices
    (asserted to rebuild its output) and those within ARCEE_NEAR of the threshold; for larger ones, whose quantiles
    mergekit takes from a random sample, the kept count and its spread over ARCEE_SEEDS torch seeds."""
    import torch
    from mergekit.merge_methods.arcee_fusion import (_QUANTILE_SAMPLE_SIZE, DynamicThresholdFusion,
                                                     _compute_importance)
    base = load_file(str(models["base"] / "model.safetensors"))
    v1 = load_file(str(models["v1"] / "model.safetensors"))
    masks, sampled = {}, {}
    for t in sorted(merged):
        b, x = torch.from_numpy(base[t]), torch.from_numpy(v1[t])
        imp = _compute_importance(x, b)
        if b.numel() > _QUANTILE_SAMPLE_SIZE:
            counts = []
            for seed in range(ARCEE_SEEDS):
                torch.manual_seed(seed)
                counts.append(int(DynamicThresholdFusion().compute_fusion_mask(imp)[0].sum()))
            sampled[t] = {"kept": int(np.count_nonzero(merged[t] != base[t])), "seeds": ARCEE_SEEDS,
                          "kept_mean": float(np.mean(counts)), "kept_sd": float(np.std(counts, ddof=1)),
                          "kept_min": min(counts), "kept_max": max(counts)}
            continue
        mask, thr = DynamicThresholdFusion().compute_fusion_mask(imp)
        if not np.array_equal((b + (x - b) * mask).numpy(), merged[t]):
            raise SystemExit(f"arcee_fusion: recomputed mask does not rebuild mergekit's {t}")
        thr = float(thr)
        near = np.abs(imp.numpy().astype(np.float64).reshape(-1) - thr) <= ARCEE_NEAR * abs(thr)
        masks[t] = {"threshold": repr(thr), "kept": np.flatnonzero(mask.numpy()).tolist(),
                    "near": np.flatnonzero(near).tolist()}
    return {"masks": masks, "sampled_quantiles": sampled}


EXTRA_CHECKS = {"arcee_fusion": arcee_fusion_checks}


def della_linear_stats(merged: dict, base: dict, v1: dict) -> dict:
    """DELLA's keep probability rises with the magnitude rank in each row: kept fractions overall and in the upper
    and lower halves of each row by |delta|, and the L1 ratio (rescale: true)."""
    stats = {}
    for t in ["transformer.h.0.attn.c_attn.weight", "transformer.wte.weight"]:
        d = merged[t].astype(np.float64) - base[t].astype(np.float64)
        orig = v1[t].astype(np.float64) - base[t].astype(np.float64)
        kept = np.abs(d) > 1e-12
        a = np.abs(v1[t] - base[t]).astype(np.float64)  # mergekit ranks the float32 delta
        upper = a > np.median(a, axis=-1, keepdims=True)
        stats[t] = {"kept_fraction": float(kept.mean()), "kept_fraction_upper_half": float(kept[upper].mean()),
                    "kept_fraction_lower_half": float(kept[~upper].mean()),
                    "l1_ratio": float(np.abs(d).sum() / np.abs(orig).sum())}
    return stats

# bfloat16 / float16 computation and mixed input dtypes (MergeGoldenTest.matchesMergekitInDtype): mergekit run with one
# torch thread (see run_mergekit), every output tensor recorded by sha256 of its bytes. {v2bf16} is v2 cast to bfloat16.
DTYPE_RECIPES = {
    "linear_bf16": RECIPES["linear"].replace("dtype: float32", "dtype: bfloat16"),
    "task_arithmetic_bf16": RECIPES["task_arithmetic"].replace("dtype: float32", "dtype: bfloat16"),
    "ties_bf16": RECIPES["ties"].replace("dtype: float32", "dtype: bfloat16"),
    "dare_linear_bf16": RECIPES["dare_linear"].replace("dtype: float32", "dtype: bfloat16"),
    "breadcrumbs_ties_bf16": RECIPES["breadcrumbs_ties"].replace("normalize: true}", "normalize: true, rescale: true}")
    .replace("dtype: float32", "dtype: bfloat16"),
    "slerp_bf16": RECIPES["slerp"].replace("dtype: float32", "dtype: bfloat16"),
    "model_stock_bf16": RECIPES["model_stock"].replace("dtype: float32", "dtype: bfloat16"),
    "passthrough_bf16": RECIPES["passthrough"].replace("dtype: float32", "dtype: bfloat16"),
    "linear_fp16": RECIPES["linear"].replace("dtype: float32", "dtype: float16"),
    "task_arithmetic_fp16": RECIPES["task_arithmetic"].replace("dtype: float32", "dtype: float16"),
    "ties_fp16": RECIPES["ties"].replace("dtype: float32", "dtype: float16"),
    "slerp_fp16": RECIPES["slerp"].replace("dtype: float32", "dtype: float16"),
    "model_stock_fp16": RECIPES["model_stock"].replace("dtype: float32", "parameters: {{filter_wise: true}}\n"
                                                       "dtype: float16"),
    # no dtype: F32 and BF16 inputs are promoted to float32 (and written as float32)
    "mixed_ties": RECIPES["ties"].replace("{v2}", "{v2bf16}").replace("dtype: float32\n", ""),
    "mixed_linear_bf16": RECIPES["linear"].replace("{v2}", "{v2bf16}").replace("dtype: float32", "dtype: bfloat16"),
    # nuslerp, multislerp, karcher: whole-tensor, per-row and per-column (strided) spheres, with and without a base
    **{f"{name}_{suffix}": RECIPES[name].replace("dtype: float32", f"dtype: {dtype}")
       for suffix, dtype, names in [
           ("bf16", "bfloat16", ["nuslerp", "nuslerp_base", "nuslerp_rows", "nuslerp_row_wise_base", "multislerp",
                                 "multislerp_base", "multislerp_unnormalized_base", "karcher", "karcher_base_one_step",
                                 "karcher_tol"]),
           ("fp16", "float16", ["nuslerp_base", "nuslerp_row_wise_base", "multislerp_base", "karcher"])]
       for name in names},
    # della_linear, sce, ram, ramplus_tl, nearswap, arcee_fusion. ramplus_tl's and arcee_fusion's results are float32
    # (a float32 lambda / mask times a bfloat16 tensor), which mergekit writes as float32 unless out_dtype is set
    "della_linear_bf16": RECIPES["della_linear"].replace("dtype: float32", "dtype: bfloat16"),
    "sce_bf16": RECIPES["sce"].replace("dtype: float32", "dtype: bfloat16"),
    "sce_select_topk_bf16": RECIPES["sce_select_topk"].replace("dtype: float32", "dtype: bfloat16"),
    "sce_select_topk_fp16": RECIPES["sce_select_topk"].replace("dtype: float32", "dtype: float16"),
    "ram_bf16": RECIPES["ram"].replace("dtype: float32", "dtype: bfloat16"),
    "ram_epsilon_fp16": RECIPES["ram_epsilon"].replace("dtype: float32", "dtype: float16"),
    "ramplus_tl_bf16": RECIPES["ramplus_tl"].replace("dtype: float32", "dtype: bfloat16\nout_dtype: bfloat16"),
    "ramplus_tl_unclamped_bf16": RECIPES["ramplus_tl_unclamped"].replace("dtype: float32",
                                                                         "dtype: bfloat16\nout_dtype: bfloat16"),
    "ramplus_tl_unclamped_fp16": RECIPES["ramplus_tl_unclamped"].replace("dtype: float32",
                                                                         "dtype: float16\nout_dtype: float16"),
    "nearswap_bf16": RECIPES["nearswap"].replace("dtype: float32", "dtype: bfloat16"),
    "nearswap_fp16": RECIPES["nearswap"].replace("dtype: float32", "dtype: float16"),
    "arcee_fusion_bf16": RECIPES["arcee_fusion"].replace("dtype: float32", "dtype: bfloat16\nout_dtype: bfloat16"),
    "arcee_fusion_fp16": RECIPES["arcee_fusion"].replace("dtype: float32", "dtype: float16\nout_dtype: float16"),
}

WHOLE = ["transformer.h.0.ln_1.weight", "transformer.h.1.attn.c_proj.bias", "transformer.h.1.mlp.c_fc.bias",
         "transformer.ln_f.bias", "score.weight"]
SAMPLED = {"transformer.h.0.attn.c_attn.weight": 97, "transformer.h.1.mlp.c_proj.weight": 101,
           "transformer.wte.weight": 9973}


def perturbation(name: str, k: int, n: int) -> np.ndarray:
    """float32 deltas in [-2^-4, 2^-4), exact in both numpy and Java (24-bit ints times a power of two)."""
    crc = zlib.crc32(name.encode("utf-8")) & MASK32
    i = np.arange(n, dtype=np.uint64)
    h = (i * np.uint64(2654435761) + np.uint64(crc * 40503) + np.uint64(k * 2246822519)) & np.uint64(MASK32)
    h ^= h >> np.uint64(15)
    h = (h * np.uint64(2246822519)) & np.uint64(MASK32)
    h ^= h >> np.uint64(13)
    v = (h >> np.uint64(8)).astype(np.int64) - (1 << 23)
    return (v.astype(np.float32) * np.float32(2.0 ** -27))


def write_classifier(src_dir: Path, out: Path, tensors: dict, config: dict):
    out.mkdir(parents=True, exist_ok=True)
    save_file(tensors, str(out / "model.safetensors"), metadata={"format": "pt"})
    (out / "config.json").write_text(json.dumps(config, indent=2, sort_keys=True) + "\n")
    for f in ["tokenizer.json", "vocab.json", "merges.txt", "tokenizer_config.json", "special_tokens_map.json"]:
        if (src_dir / f).exists():
            shutil.copy(src_dir / f, out / f)


def make_models(repo: Path, work: Path) -> dict:
    factory = work / "factory-tiny-seed7"
    if not (factory / "model.safetensors").exists():
        subprocess.run([os.environ.get("MERGELAB", str(repo / "bin/mergelab")), "init-model", "--preset", "tiny", "--seed", str(SEED),
                        "--out", str(factory), "--overwrite"], check=True)
    base = load_file(str(factory / "model.safetensors"))
    config = json.loads((factory / "config.json").read_text())
    config["architectures"] = ["GPT2ForSequenceClassification"]
    config["id2label"] = {str(i): l for i, l in enumerate(LABELS)}
    config["label2id"] = {l: i for i, l in enumerate(LABELS)}
    config["pad_token_id"] = 50256
    n_embd = config["n_embd"]
    base = {k: v for k, v in base.items()}
    base["score.weight"] = perturbation("score.weight", 0, len(LABELS) * n_embd).reshape(len(LABELS), n_embd) \
        * np.float32(4.0)
    paths = {}
    for k in range(0, 4):
        name = "base" if k == 0 else f"v{k}"
        if k == 0:
            tensors = base
        else:
            tensors = {n: (t.reshape(-1) + perturbation(n, k, t.size)).astype(np.float32).reshape(t.shape)
                       for n, t in base.items()}
        write_classifier(factory, work / name, tensors, config)
        paths[name] = work / name
    import torch
    from safetensors.torch import save_file as save_torch
    v2 = load_file(str(paths["v2"] / "model.safetensors"))
    (work / "v2bf16").mkdir(parents=True, exist_ok=True)
    save_torch({n: torch.from_numpy(t).to(torch.bfloat16) for n, t in v2.items()},  # round to nearest even
               str(work / "v2bf16" / "model.safetensors"), metadata={"format": "pt"})
    for f in (paths["v2"]).iterdir():
        if f.name != "model.safetensors":
            shutil.copy(f, work / "v2bf16" / f.name)
    paths["v2bf16"] = work / "v2bf16"
    return paths


def run_mergekit(venv_bin: Path, yaml_text: str, out: Path, one_thread: bool = False):
    """one_thread: a reduction over more than 32768 bfloat16 / float16 elements rounds each torch thread's partial
    sum to that type, so its last bit depends on the thread count; one thread accumulates in float32 and rounds once."""
    cfg = out.with_suffix(".yml")
    cfg.write_text(yaml_text)
    if out.exists():
        shutil.rmtree(out)
    env = dict(os.environ, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1") if one_thread else None
    subprocess.run([str(venv_bin / "mergekit-yaml"), str(cfg), str(out), "--random-seed", "0", "--quiet",
                    "--lazy-unpickle"], check=True, env=env)
    if one_thread:
        from safetensors.torch import load_file as load_torch
        return load_torch(str(out / "model.safetensors"))
    return load_file(str(out / "model.safetensors"))


def floats(a) -> list:
    return [repr(float(x)) for x in np.asarray(a, dtype=np.float32).reshape(-1)]


def dtype_cases(venv_bin: Path, subst: dict, work: Path) -> dict:
    """DTYPE_RECIPES: values and sums as for float32, plus each output tensor's dtype and the sha256 of its bytes."""
    import hashlib
    import torch
    cases = {"torch_threads": 1, "cpu_capability": torch.backends.cpu.get_cpu_capability(), "cases": {}}
    for name, text in DTYPE_RECIPES.items():
        recipe = text.format(**{k: "${" + k + "}" for k in subst}).strip() + "\n"
        merged = run_mergekit(venv_bin, text.format(**subst), work / f"out-{name}", one_thread=True)
        entry = {"recipe": recipe, "dtype": {}, "sha256": {}, "tensors": {}, "sums": {}}
        for t in sorted(merged):
            entry["dtype"][t] = str(merged[t].dtype).replace("torch.", "")
            entry["sha256"][t] = hashlib.sha256(merged[t].contiguous().view(torch.uint8).numpy().tobytes()).hexdigest()
        as32 = {t: merged[t].to(torch.float32).numpy() for t in merged}
        for t in WHOLE:
            entry["tensors"][t] = {"stride": 1, "shape": list(as32[t].shape), "values": floats(as32[t])}
        for t, stride in SAMPLED.items():
            flat = as32[t].reshape(-1)
            entry["tensors"][t] = {"stride": stride, "shape": list(as32[t].shape), "values": floats(flat[::stride])}
        for t in sorted(as32):
            x = as32[t].astype(np.float64)
            entry["sums"][t] = {"sum": float(x.sum()), "abs_sum": float(np.abs(x).sum())}
        if name.startswith("arcee_fusion"):
            entry["sampled_quantiles"] = arcee_fusion_sampled(subst, merged, getattr(torch, recipe_dtype(text)))
        cases["cases"][name] = entry
        print(f"[merge-golden] {name}: {len(merged)} tensors", file=sys.stderr)
    return cases


def recipe_dtype(text: str) -> str:
    return next(line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("dtype:"))


def arcee_fusion_sampled(subst: dict, merged: dict, dt) -> dict:
    """arcee_fusion in dtype dt, tensors over 10^6 elements (quantiles from random draws): mergekit's kept count and
    its spread over ARCEE_SEEDS torch seeds, the importance computed in dt as mergekit does."""
    import torch
    from mergekit.merge_methods.arcee_fusion import (_QUANTILE_SAMPLE_SIZE, DynamicThresholdFusion,
                                                     _compute_importance)
    base = load_file(str(Path(subst["base"]) / "model.safetensors"))
    v1 = load_file(str(Path(subst["v1"]) / "model.safetensors"))
    sampled = {}
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # as mergekit ran
    for t in sorted(merged):
        b, x = torch.from_numpy(base[t]).to(dt), torch.from_numpy(v1[t]).to(dt)
        if b.numel() <= _QUANTILE_SAMPLE_SIZE:
            continue
        imp = _compute_importance(x, b)
        counts = []
        for seed in range(ARCEE_SEEDS):
            torch.manual_seed(seed)
            counts.append(int(DynamicThresholdFusion().compute_fusion_mask(imp)[0].sum()))
        sampled[t] = {"kept": int((merged[t].to(dt) != b).sum()), "seeds": ARCEE_SEEDS,
                      "kept_mean": float(np.mean(counts)), "kept_sd": float(np.std(counts, ddof=1)),
                      "kept_min": min(counts), "kept_max": max(counts)}
    torch.set_num_threads(threads)
    return sampled


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", default="target/golden-merge")
    ap.add_argument("--out", default="src/test/resources/golden/merge/merge-golden.json")
    args = ap.parse_args()
    repo = Path(__file__).resolve().parents[2]
    work = (repo / args.work).resolve()
    work.mkdir(parents=True, exist_ok=True)
    venv_bin = Path(sys.executable).parent
    models = make_models(repo, work)
    subst = {k: str(v) for k, v in models.items()}
    import mergekit, torch
    from importlib.metadata import version
    result = {
        "schema_version": 1,
        "source": {"generator": "tools/golden/make_merge_golden.py", "mergekit": version("mergekit"),
                   "torch": torch.__version__, "numpy": np.__version__,
                   "factory": f"bin/mergelab init-model --preset tiny --seed {SEED}",
                   "variants": "vK = base + perturbation(name, K) for K=1..3; base score.weight = 4*perturbation('score.weight', 0)",
                   "labels": LABELS},
        "tolerance": {"relative": 1e-6, "absolute": 1e-7},
        "inputs_check": {},
        "methods": {},
    }
    v1 = load_file(str(models["v1"] / "model.safetensors"))
    for n in ["transformer.h.0.attn.c_attn.weight", "score.weight"]:
        result["inputs_check"][n] = {"v1_sum_f64": float(v1[n].astype(np.float64).sum())}
    for name, text in RECIPES.items():
        recipe = text.format(**{k: "${" + k + "}" for k in subst}).strip() + "\n"
        merged = run_mergekit(venv_bin, text.format(**subst), work / f"out-{name}")
        entry = {"recipe": recipe, "tensors": {}, "sums": {}}
        for t in WHOLE:
            entry["tensors"][t] = {"stride": 1, "shape": list(merged[t].shape), "values": floats(merged[t])}
        for t, stride in SAMPLED.items():
            flat = merged[t].reshape(-1)
            entry["tensors"][t] = {"stride": stride, "shape": list(merged[t].shape), "values": floats(flat[::stride])}
        for t in sorted(merged):
            x = merged[t].astype(np.float64)
            entry["sums"][t] = {"sum": float(x.sum()), "abs_sum": float(np.abs(x).sum())}
        if name in EXTRA_CHECKS:
            entry.update(EXTRA_CHECKS[name](models, merged))
        result["methods"][name] = entry
        print(f"[merge-golden] {name}: {len(merged)} tensors", file=sys.stderr)
    # DARE with density < 1: torch's RNG, so statistics only
    merged = run_mergekit(venv_bin, DARE_STATS.format(**subst), work / "out-dare-stats")
    base = load_file(str(models["base"] / "model.safetensors"))
    stats = {}
    for t in ["transformer.h.0.attn.c_attn.weight", "transformer.wte.weight"]:
        d = merged[t].astype(np.float64) - base[t].astype(np.float64)
        orig = v1[t].astype(np.float64) - base[t].astype(np.float64)
        stats[t] = {"kept_fraction": float(np.count_nonzero(np.abs(d) > 1e-12) / d.size),
                    "l1_ratio": float(np.abs(d).sum() / np.abs(orig).sum())}
    result["dare_density_0.5_stats"] = {"recipe": DARE_STATS.format(**{k: "${" + k + "}" for k in subst}).strip() + "\n",
                                        "stats": stats}
    merged = run_mergekit(venv_bin, DELLA_LINEAR_STATS.format(**subst), work / "out-della-linear-stats")
    result["della_linear_density_0.5_stats"] = {
        "recipe": DELLA_LINEAR_STATS.format(**{k: "${" + k + "}" for k in subst}).strip() + "\n",
        "stats": della_linear_stats(merged, base, v1)}
    from mergekit.merge_methods.registry import registered_methods
    result["mergekit_methods"] = sorted(m.spec.name for m in registered_methods())
    result["dtypes"] = dtype_cases(venv_bin, subst, work)
    out = (repo / args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, separators=(",", ":")) + "\n")  # compact: ~40% smaller
    print(f"[merge-golden] wrote {out} ({out.stat().st_size} bytes)", file=sys.stderr)


if __name__ == "__main__":
    main()
