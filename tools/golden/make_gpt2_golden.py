#!/usr/bin/env python3
"""Produce a golden (reference) JSON fixture for a GPT-2 checkpoint using Hugging Face transformers.

Usage (from the repo root, inside the golden venv -- see tools/golden/setup-venv.sh):
    .cache/golden-venv/bin/python tools/golden/make_gpt2_golden.py MODEL_DIR OUT_JSON [--num-labels 3]

MODEL_DIR must contain config.json, model.safetensors and tokenizer.json (GPT-2 byte-level BPE).
The fixture is consumed by the Java parity tests (tolerance: 1e-4 absolute on float32 logits,
exact on token ids). See tools/golden/README.md for the schema.

All floats are float32 values written as repr(float(x)), i.e. the shortest decimal that round-trips to
the same double, which is exactly the float32 value (so Float.parseFloat / (float) Double.parseDouble
both give back the identical float32).
"""
from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # local directories only; never reach for the Hub

import argparse
import hashlib
import io
import json
import logging
import math
import re
import sys
import warnings
from pathlib import Path

import numpy as np
import torch
import tokenizers
import transformers
from transformers import AutoTokenizer, GPT2ForSequenceClassification, GPT2LMHeadModel

transformers.utils.logging.disable_progress_bar()
_ANSI = re.compile(r"\x1b\[[0-9;]*m")

PAD_ID = 50256  # "<|endoftext|>" -- GPT-2 has no pad token; eos is used, right padding.
TRUNC_LEN = 16
ATTN_IMPL = "eager"  # plain softmax(QK^T/sqrt(d)) attention, the formulation the Java port follows
SANITY_TOL = 1e-5  # internal consistency checks (same math, different batching)

# Fixed inputs. Written with escapes so the exact code points are unambiguous (NFC, no hidden
# normalisation): GPT-2's tokenizer has no normaliser, so "e\u0301" and "\u00e9" tokenize differently.
TEXTS = [
    # 0: plain English review sentence
    "This movie was absolutely wonderful, I loved every minute of it.",
    # 1: unicode accents (precomposed) + an em dash + emoji (multi-byte, split across byte-level tokens)
    "Caf\u00e9 cr\u00e8me br\u00fbl\u00e9e, na\u00efve fa\u00e7ade \u2014 so good \U0001F60D\U0001F44D",
    # 2: leading/trailing spaces and double spaces
    "  Leading and trailing spaces,  double  spaces inside.  ",
    # 3: numbers and punctuation
    "Rated 10/10!! Best of 2024... would pay $12.50 again (no, really?!)",
    # 4: long (~60 words; longer than TRUNC_LEN tokens)
    "I went into this film with low expectations, having read several mixed reviews, but I was "
    "pleasantly surprised by how much I enjoyed it. The performances were strong across the board, "
    "the cinematography was gorgeous, and the soundtrack perfectly matched the mood of every scene. "
    "My only complaint is that the ending felt a little rushed, yet overall it was well worth watching.",
    # 5: empty-ish
    "ok",
    # 6: newline and tab (whitespace handling of the byte-level pre-tokenizer)
    "Line one.\nLine two\twith a tab.",
]

# Labels of the deterministic classification head are generic; the Java test only needs the matrix.


def f32(x) -> float:
    """A Python float holding exactly the float32 value of x."""
    return float(np.float32(x))


def f32list(t: torch.Tensor):
    """Nested lists of Python floats holding the exact float32 values of tensor t."""
    a = t.detach().to(torch.float32).cpu().numpy()
    out = a.tolist()  # numpy float32 -> Python float is exact
    _check_finite(out)
    return out


def _check_finite(x):
    if isinstance(x, list):
        for v in x:
            _check_finite(v)
    elif isinstance(x, float) and not math.isfinite(x):
        raise ValueError(f"non-finite value in fixture: {x}")


def sha256_file(p: Path) -> str:
    h = hashlib.sha256()
    with open(p, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def dump_json(obj, fp, indent=1, level=0):
    """JSON with nested containers indented but lists of scalars kept on one line (readable, diffable)."""
    pad = " " * (indent * level)
    pad1 = " " * (indent * (level + 1))
    if isinstance(obj, dict):
        if not obj:
            fp.write("{}")
            return
        fp.write("{\n")
        items = list(obj.items())
        for i, (k, v) in enumerate(items):
            fp.write(pad1 + json.dumps(str(k), ensure_ascii=False) + ": ")
            dump_json(v, fp, indent, level + 1)
            fp.write(",\n" if i < len(items) - 1 else "\n")
        fp.write(pad + "}")
    elif isinstance(obj, list):
        if all(not isinstance(v, (dict, list)) for v in obj):
            fp.write(json.dumps(obj, ensure_ascii=False, allow_nan=False, separators=(",", ":")))
            return
        fp.write("[\n")
        for i, v in enumerate(obj):
            fp.write(pad1)
            dump_json(v, fp, indent, level + 1)
            fp.write(",\n" if i < len(obj) - 1 else "\n")
        fp.write(pad + "]")
    else:
        fp.write(json.dumps(obj, ensure_ascii=False, allow_nan=False))


class _CaptureLogs(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.WARNING)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def load_quietly(fn):
    """Run fn() capturing transformers warnings/log records; return (result, messages)."""
    handler = _CaptureLogs()
    tlog = logging.getLogger("transformers")
    tlog.addHandler(handler)
    try:
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            res = fn()
    finally:
        tlog.removeHandler(handler)
    msgs = [_ANSI.sub("", m) for m in handler.messages] + [f"{x.category.__name__}: {x.message}" for x in w]
    return res, msgs


def last_non_pad_index(input_ids: torch.Tensor, pad_id: int) -> torch.Tensor:
    """Exactly what transformers 5 GPT2ForSequenceClassification does: the RIGHTMOST token != pad_id
    (attention_mask is not consulted); a row that is all pad gives 0."""
    non_pad = (input_ids != pad_id).to(torch.int32)
    idx = torch.arange(input_ids.shape[-1], dtype=torch.int32)
    return (idx * non_pad).argmax(-1)


def repo_relative(p: str, root: Path) -> str:
    try:
        return os.path.relpath(Path(p).resolve(), root)
    except ValueError:
        return p


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model_dir")
    ap.add_argument("out_json")
    ap.add_argument("--num-labels", type=int, default=3)
    args = ap.parse_args(argv)

    torch.set_num_threads(1)  # reproducible reduction order
    torch.use_deterministic_algorithms(True)
    torch.set_grad_enabled(False)

    model_dir = Path(args.model_dir)
    repo_root = Path(__file__).resolve().parents[2]
    st_path = model_dir / "model.safetensors"
    if not st_path.is_file():
        print(f"ERROR: {st_path} not found (only safetensors checkpoints are supported)", file=sys.stderr)
        return 2
    K = args.num_labels

    # ---------------------------------------------------------------- tokenizer
    tok = AutoTokenizer.from_pretrained(str(model_dir), use_fast=True)
    if not tok.is_fast:
        raise SystemExit("expected a fast (tokenizers-backed) tokenizer")
    raw = tokenizers.Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    tok.pad_token = tok.eos_token
    tok.padding_side = "right"
    tok.truncation_side = "right"
    assert tok.pad_token_id == PAD_ID, tok.pad_token_id

    ids_per_text = []
    tok_entries = []
    for t in TEXTS:
        ids = tok(t, add_special_tokens=False)["input_ids"]
        ids_default = tok(t)["input_ids"]
        raw_ids = raw.encode(t, add_special_tokens=False).ids
        if ids != raw_ids or ids != ids_default:
            raise SystemExit(f"tokenizer disagreement for {t!r}: {ids} / raw {raw_ids} / default {ids_default}")
        if not ids:
            raise SystemExit(f"text {t!r} tokenizes to nothing")
        ids_per_text.append(ids)
        tok_entries.append({
            "text": t,
            "input_ids": ids,
            "tokens": tok.convert_ids_to_tokens(ids),
        })
    enc16 = tok(TEXTS, add_special_tokens=False, truncation=True, max_length=TRUNC_LEN, padding="max_length")
    for e, ids16, m16 in zip(tok_entries, enc16["input_ids"], enc16["attention_mask"]):
        e["padded16"] = {"input_ids": ids16, "attention_mask": m16}

    # ---------------------------------------------------------------- LM
    lm, lm_msgs = load_quietly(lambda: GPT2LMHeadModel.from_pretrained(
        str(model_dir), use_safetensors=True, dtype=torch.float32, attn_implementation=ATTN_IMPL))
    lm.eval()
    cfg = lm.config
    V, E = cfg.vocab_size, cfg.n_embd
    base_cols = [c for c in [0, 1, 2, 3, PAD_ID] + list(range(4999, V, 4999)) if c < V]

    lm_entries = []
    max_hidden_check = 0.0
    for t, ids in zip(TEXTS, ids_per_text):
        x = torch.tensor([ids], dtype=torch.long)
        out = lm(input_ids=x, attention_mask=torch.ones_like(x), output_hidden_states=True)
        logits = out.logits[0].to(torch.float32)  # [T, V]
        hidden = out.hidden_states[-1][0]  # [T, E], after ln_f
        # hidden_states[-1] must be the post-ln_f state that feeds the (tied) LM head
        recon = hidden @ lm.lm_head.weight.T
        max_hidden_check = max(max_hidden_check, float((recon - logits).abs().max()))
        lse = torch.logsumexp(logits.to(torch.float64), dim=-1)
        cols = sorted(set(base_cols) | {i for i in ids if i < V})
        h_last = hidden[-1]
        n_h = E if E <= 256 else 64
        lm_entries.append({
            "text": t,
            "seq_len": len(ids),
            "input_ids": ids,
            "logsumexp": f32list(lse),
            "columns": cols,
            "logits": f32list(logits[:, cols]),
            "hidden_last": f32list(h_last[:n_h]),
        })

    # padded LM batch vs unpadded (sanity only; not stored)
    enc = tok(TEXTS, add_special_tokens=False, padding=True, return_tensors="pt")
    outb = lm(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"])
    lm_pad_diff = 0.0
    for r, ids in enumerate(ids_per_text):
        single = lm(input_ids=torch.tensor([ids])).logits[0]
        lm_pad_diff = max(lm_pad_diff, float((outb.logits[r, : len(ids)] - single).abs().max()))

    # sdpa vs eager (sanity only)
    lm_sdpa = GPT2LMHeadModel.from_pretrained(str(model_dir), use_safetensors=True, dtype=torch.float32,
                                              attn_implementation="sdpa").eval()
    sdpa_diff = 0.0
    for ids in ids_per_text:
        x = torch.tensor([ids])
        sdpa_diff = max(sdpa_diff, float((lm_sdpa(input_ids=x).logits - lm(input_ids=x).logits).abs().max()))
    del lm_sdpa

    # ---------------------------------------------------------------- classification
    W = [[round(0.05 * math.sin(1.0 + 3 * i + 0.7 * j), 7) for j in range(E)] for i in range(K)]
    W32 = torch.tensor(W, dtype=torch.float32)
    (cls, cls_info), cls_msgs = load_quietly(lambda: GPT2ForSequenceClassification.from_pretrained(
        str(model_dir), num_labels=K, use_safetensors=True, dtype=torch.float32,
        attn_implementation=ATTN_IMPL, pad_token_id=PAD_ID, output_loading_info=True))
    cls.eval()
    # the only acceptable loading issue is the (intentionally absent) score head
    if (set(cls_info["missing_keys"]) != {"score.weight"} or cls_info["unexpected_keys"]
            or cls_info["mismatched_keys"] or cls_info["error_msgs"]):
        raise SystemExit(f"unexpected loading info for the classifier: {cls_info}")
    if lm_msgs:
        raise SystemExit(f"unexpected messages while loading the LM: {lm_msgs}")
    cls.config.pad_token_id = PAD_ID
    assert cls.score.weight.shape == (K, E), cls.score.weight.shape
    assert cls.score.bias is None if hasattr(cls.score, "bias") else True
    cls.score.weight.copy_(W32)
    # the backbone must be exactly the LM's backbone
    lm_sd = lm.transformer.state_dict()
    for k, v in cls.transformer.state_dict().items():
        if not torch.equal(v, lm_sd[k]):
            raise SystemExit(f"classification backbone differs from LM backbone at {k}")

    def classify_batch(enc):
        ids = torch.as_tensor(enc["input_ids"], dtype=torch.long)
        mask = torch.as_tensor(enc["attention_mask"], dtype=torch.long)
        logits = cls(input_ids=ids, attention_mask=mask).logits
        return {
            "input_ids": ids.tolist(),
            "attention_mask": mask.tolist(),
            "last_non_pad_index": last_non_pad_index(ids, PAD_ID).tolist(),
            "logits": f32list(logits),
        }

    single_entries = []
    single_logits = []
    for t, ids in zip(TEXTS, ids_per_text):
        x = torch.tensor([ids])
        lg = cls(input_ids=x, attention_mask=torch.ones_like(x)).logits  # [1, K]
        single_logits.append(lg[0])
        single_entries.append({"text": t, "input_ids": ids, "logits": f32list(lg)})

    enc_pad = tok(TEXTS, add_special_tokens=False, padding=True)
    padded = classify_batch(enc_pad)
    enc_tr = tok(TEXTS, add_special_tokens=False, padding="max_length", truncation=True, max_length=TRUNC_LEN)
    trunc = classify_batch(enc_tr)

    # sanity: padded batch == singles; truncated batch == singles on the truncated ids
    pad_diff = max(float((torch.tensor(padded["logits"][r]) - single_logits[r]).abs().max())
                   for r in range(len(TEXTS)))
    trunc_diff = 0.0
    for r, ids in enumerate(ids_per_text):
        tids = ids[:TRUNC_LEN]
        lg = cls(input_ids=torch.tensor([tids])).logits[0]
        trunc_diff = max(trunc_diff, float((torch.tensor(trunc["logits"][r]) - lg).abs().max()))
    # sanity: classification logits == score head applied to the LM hidden state of the last real token
    head_diff = max(float((single_logits[r] - W32 @ lm(input_ids=torch.tensor([ids]), output_hidden_states=True)
                           .hidden_states[-1][0, -1]).abs().max()) for r, ids in enumerate(ids_per_text))

    # ---------------------------------------------------------------- assemble
    regen = (f".cache/golden-venv/bin/python tools/golden/make_gpt2_golden.py "
             f"{repo_relative(args.model_dir, repo_root)} {repo_relative(args.out_json, repo_root)} --num-labels {K}")
    fixture = {
        "schema_version": 1,
        "source": {
            "generator": "tools/golden/make_gpt2_golden.py",
            "command": regen,
            "regenerate_all": "tools/golden/make_all.sh",
            "transformers": transformers.__version__,
            "torch": torch.__version__,
            "tokenizers": tokenizers.__version__,
            "numpy": np.__version__,
            "model_dir": model_dir.resolve().name,
            "model_safetensors_sha256": sha256_file(st_path),
            "tokenizer_json_sha256": sha256_file(model_dir / "tokenizer.json"),
            "attn_implementation": ATTN_IMPL,
            "dtype": "float32",
            "logsumexp_computed_in": "float64, rounded to float32",
        },
        "model": {
            "model_type": cfg.model_type,
            "vocab_size": V,
            "n_positions": cfg.n_positions,
            "n_embd": E,
            "n_layer": cfg.n_layer,
            "n_head": cfg.n_head,
            "n_inner": cfg.n_inner,
            "activation_function": cfg.activation_function,
            "layer_norm_epsilon": cfg.layer_norm_epsilon,
            "tie_word_embeddings": bool(getattr(cfg, "tie_word_embeddings", True)),
        },
        "tolerances": {"logits_abs": 1e-4, "token_ids": "exact"},
        "texts": TEXTS,
        "tokenizer": {
            "add_special_tokens": False,
            "pad_token": tok.pad_token,
            "pad_token_id": PAD_ID,
            "padding_side": "right",
            "truncation_side": "right",
            "padded_max_length": TRUNC_LEN,
            "entries": tok_entries,
        },
        "lm": {
            "base_columns": base_cols,
            "hidden_last_size": E if E <= 256 else 64,
            "entries": lm_entries,
        },
        "classification": {
            "num_labels": K,
            "pad_token_id": PAD_ID,
            "score_weight_formula": "round(0.05*sin(1.0 + 3*i + 0.7*j), 7), i<num_labels, j<n_embd (informative only)",
            "score_weight": [[f32(v) for v in row] for row in W],
            "pooling": "rightmost position whose input_id != pad_token_id (attention_mask not consulted)",
            "single": single_entries,
            "padded_batch": padded,
            "truncated_batch": dict(trunc, max_length=TRUNC_LEN),
        },
    }

    out = Path(args.out_json)
    out.parent.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO()
    dump_json(fixture, buf)
    buf.write("\n")
    json.loads(buf.getvalue())  # round-trip check
    out.write_text(buf.getvalue(), encoding="utf-8")

    # ---------------------------------------------------------------- report
    print(f"wrote {out} ({out.stat().st_size} bytes)")
    print(f"  versions: transformers {transformers.__version__}, torch {torch.__version__}, tokenizers {tokenizers.__version__}")
    print(f"  model: vocab {V}, n_embd {E}, n_layer {cfg.n_layer}, n_head {cfg.n_head}; texts {len(TEXTS)}, "
          f"token counts {[len(i) for i in ids_per_text]}")
    print(f"  LM load messages: {len(lm_msgs)}; classifier load messages: {len(cls_msgs)}")
    for m in lm_msgs + cls_msgs:
        print("    | " + m.replace("\n", "\n    | "))
    checks = {
        "classification single vs padded batch": pad_diff,
        "classification truncated batch vs single on truncated ids": trunc_diff,
        "classification logits vs score @ hidden_last": head_diff,
        "LM padded batch vs single (non-pad positions)": lm_pad_diff,
        "LM hidden_states[-1] @ wte^T vs logits": max_hidden_check,
        "LM sdpa vs eager attention": sdpa_diff,
    }
    bad = False
    for name, d in checks.items():
        flag = "ok" if d <= SANITY_TOL else "FAIL"
        bad |= d > SANITY_TOL
        print(f"  max |diff| {name}: {d:.3e} [{flag}]")
    print(f"  padded batch last_non_pad_index: {padded['last_non_pad_index']}")
    print(f"  truncated batch last_non_pad_index: {trunc['last_non_pad_index']}")
    if bad:
        print(f"ERROR: a sanity check exceeded {SANITY_TOL}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
