#!/usr/bin/env python3
"""Check that a GPT-2 sequence-classification checkpoint (e.g. one written by mergelab's Java code)
loads cleanly in Hugging Face transformers.

Usage (from the repo root):
    .cache/golden-venv/bin/python tools/golden/check_hf_load.py CHECKPOINT_DIR [--text "..."]

Loads CHECKPOINT_DIR with GPT2ForSequenceClassification.from_pretrained, with
AutoModelForSequenceClassification.from_pretrained and with AutoTokenizer.from_pretrained, and
exits 1 (printing the offending keys/messages) if transformers reports ANY missing, unexpected or
mismatched keys, load errors, or warnings/log messages about keys or weight initialisation.
On success prints num_labels, id2label and the logits for one sentence, and exits 0.
Exit 2: the directory could not be loaded at all (exception).
"""
from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # local directories only; never reach for the Hub

import argparse
import logging
import re
import sys
import traceback
import warnings

import torch
import transformers
from transformers import AutoModelForSequenceClassification, AutoTokenizer, GPT2ForSequenceClassification

transformers.utils.logging.disable_progress_bar()
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
# Log/warning text that indicates a weight-loading problem even if loading_info looked clean.
_BAD = re.compile(r"missing|unexpected|mismatch|newly initialized|not initialized|were not used|"
                  r"not used when initializing|LOAD REPORT|size mismatch|conversion", re.IGNORECASE)
DEFAULT_TEXT = "This movie was absolutely wonderful, I loved every minute of it."


class _Capture(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.records = []

    def emit(self, record):
        if record.levelno >= logging.WARNING:
            self.records.append(f"{record.levelname} {record.name}: {_ANSI.sub('', record.getMessage())}")


def load_checked(label, fn):
    """Returns (obj, problems, all_messages)."""
    handler = _Capture()
    tlog = logging.getLogger("transformers")
    tlog.addHandler(handler)
    problems = []
    try:
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            result = fn()
    finally:
        tlog.removeHandler(handler)
    messages = handler.records + [f"{x.category.__name__}: {x.message}" for x in w]
    obj, info = result if isinstance(result, tuple) else (result, None)
    if info is not None:
        for key in ("missing_keys", "unexpected_keys", "mismatched_keys", "error_msgs"):
            vals = info.get(key) or []
            if vals:
                problems.append(f"{label}: {key} = {sorted(map(str, vals))}")
    for m in messages:
        if _BAD.search(m):
            problems.append(f"{label}: {m}")
    return obj, problems, messages


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("checkpoint_dir")
    ap.add_argument("--text", default=DEFAULT_TEXT)
    args = ap.parse_args(argv)
    d = args.checkpoint_dir
    if not os.path.isdir(d):
        print(f"FAIL: {d} is not a directory")
        return 2
    torch.set_grad_enabled(False)
    print(f"transformers {transformers.__version__}, torch {torch.__version__}; checkpoint: {d}")

    problems, notes = [], []
    try:
        model, p1, m1 = load_checked("GPT2ForSequenceClassification", lambda: GPT2ForSequenceClassification.from_pretrained(
            d, use_safetensors=True, dtype=torch.float32, output_loading_info=True, ignore_mismatched_sizes=True))
        auto, p2, m2 = load_checked("AutoModelForSequenceClassification",
                                    lambda: AutoModelForSequenceClassification.from_pretrained(
                                        d, use_safetensors=True, dtype=torch.float32, output_loading_info=True,
                                        ignore_mismatched_sizes=True))
        tok, p3, m3 = load_checked("AutoTokenizer", lambda: AutoTokenizer.from_pretrained(d))
    except Exception as e:  # noqa: BLE001
        traceback.print_exc()
        print(f"FAIL: could not load {d}: {type(e).__name__}: {e}")
        return 2
    problems += p1 + p2 + p3
    notes += m1 + m2 + m3

    model.eval()
    auto.eval()
    cfg = model.config
    print(f"model class (auto): {type(auto).__name__}")
    print(f"architectures: {cfg.architectures}")
    print(f"num_labels: {cfg.num_labels}")
    print(f"id2label: {cfg.id2label}")
    print(f"label2id: {cfg.label2id}")
    print(f"pad_token_id: {cfg.pad_token_id}")
    print(f"problem_type: {getattr(cfg, 'problem_type', None)}")
    if "GPT2ForSequenceClassification" not in (cfg.architectures or []):
        print("WARNING (not a failure): config.architectures does not list GPT2ForSequenceClassification")
    if type(auto).__name__ != "GPT2ForSequenceClassification":
        problems.append(f"AutoModelForSequenceClassification resolved to {type(auto).__name__}")

    sd_a, sd_b = model.state_dict(), auto.state_dict()
    for k in sd_a:
        if k not in sd_b or not torch.equal(sd_a[k], sd_b[k]):
            problems.append(f"GPT2ForSequenceClassification and Auto model differ at {k}")
            break

    enc = tok(args.text, return_tensors="pt")
    logits = model(**enc).logits
    logits_auto = auto(**enc).logits
    print(f"text: {args.text!r}")
    print(f"input_ids: {enc['input_ids'][0].tolist()}")
    print(f"logits: {[repr(float(x)) for x in logits[0]]}")
    if not torch.isfinite(logits).all():
        problems.append("non-finite logits")
    if not torch.equal(logits, logits_auto):
        problems.append("logits differ between GPT2ForSequenceClassification and AutoModelForSequenceClassification")

    other = [m for m in notes if not _BAD.search(m)]
    if other:
        print("other warnings (not treated as failures):")
        for m in other:
            print("  | " + m.replace("\n", "\n  | "))
    if problems:
        print("FAIL: transformers reported loading problems:")
        for p in problems:
            print("  - " + p.replace("\n", "\n    "))
        return 1
    print("OK: no missing / unexpected / mismatched keys")
    return 0


if __name__ == "__main__":
    sys.exit(main())
