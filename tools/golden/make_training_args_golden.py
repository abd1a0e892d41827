#!/usr/bin/env python3
"""Write the names and defaults of transformers' TrainingArguments, for TrainingArgsTableTest.

Usage (from the repo root):
    .cache/golden-venv/bin/python tools/golden/make_training_args_golden.py \
        src/test/resources/golden/train/training-arguments.json

Every field of the dataclass with its default as JSON (enums as their string value, a default_factory called,
anything else JSON cannot hold as its repr). The Java test checks that mergelab's table of training arguments
names each of them once (as a setting or as unsupported) and that a setting's default is transformers' unless
the setting says how it differs. Deterministic for one transformers version (the file records it).
"""
from __future__ import annotations

import dataclasses
import enum
import json
import sys

import transformers
from transformers import TrainingArguments


def plain(v):
    if isinstance(v, enum.Enum):
        return v.value
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    if isinstance(v, dict):
        return {str(k): plain(x) for k, x in v.items()}
    return repr(v)


def main(out: str) -> None:
    fields = {}
    for f in dataclasses.fields(TrainingArguments):
        if f.default is not dataclasses.MISSING:
            d = f.default
        elif f.default_factory is not dataclasses.MISSING:
            d = f.default_factory()
        else:
            d = None
        fields[f.name] = plain(d)
    doc = {"transformers": transformers.__version__, "class": "TrainingArguments", "defaults": fields}
    with open(out, "w", encoding="utf-8") as fh:
        json.dump(doc, fh, indent=1, sort_keys=False)
        fh.write("\n")
    print(f"{len(fields)} fields of TrainingArguments (transformers {transformers.__version__}) -> {out}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
