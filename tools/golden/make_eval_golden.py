#!/usr/bin/env python3
"""Golden values for io.mergelab.eval.ClassificationMetrics (ClassificationMetricsGoldenTest).

A fixed, seeded prediction set (4 labels; label 3 never occurs in the gold labels but is sometimes predicted,
so zero_division matters). Metrics follow scikit-learn's definitions with labels=range(4) and
zero_division=0; scikit-learn is used when installed, otherwise the same definitions are computed with
numpy below (the golden venv has no scikit-learn). ECE: 15 equal-width bins (lo, hi] on the max softmax
probability, sum |B|/n * |acc(B) - conf(B)| (Guo et al. 2017).

Usage: python tools/golden/make_eval_golden.py src/test/resources/golden/eval/metrics.json
"""
import json
import sys

import numpy as np


def main(out_path):
    rng = np.random.default_rng(20261123)
    n, k = 60, 4
    gold = rng.integers(0, 3, size=n)
    logits = rng.normal(0.0, 1.5, size=(n, k)).astype(np.float32)
    logits[np.arange(n), gold] += 1.2
    logits[:, 3] -= 0.8
    lg = logits.astype(np.float64)
    pred = lg.argmax(1)
    shifted = lg - lg.max(1, keepdims=True)
    logsum = np.log(np.exp(shifted).sum(1))
    logp = shifted - logsum[:, None]
    probs = np.exp(logp)
    conf = probs.max(1)
    loss = float(-logp[np.arange(n), gold].mean())

    cm = np.zeros((k, k), dtype=int)
    for t, p in zip(gold, pred):
        cm[t, p] += 1
    tp = np.diag(cm).astype(float)
    predicted = cm.sum(0).astype(float)
    support = cm.sum(1).astype(float)
    precision = np.divide(tp, predicted, out=np.zeros(k), where=predicted > 0)
    recall = np.divide(tp, support, out=np.zeros(k), where=support > 0)
    denom = 2 * tp + (predicted - tp) + (support - tp)
    f1 = np.divide(2 * tp, denom, out=np.zeros(k), where=denom > 0)
    try:
        from sklearn.metrics import precision_recall_fscore_support, f1_score, accuracy_score
        labels = list(range(k))
        p2, r2, f2, s2 = precision_recall_fscore_support(gold, pred, labels=labels, zero_division=0)
        assert np.allclose(p2, precision) and np.allclose(r2, recall) and np.allclose(f2, f1)
        source = "scikit-learn"
    except ImportError:
        source = "numpy (scikit-learn definitions)"

    edges = np.linspace(0.0, 1.0, 16)
    ece = 0.0
    correct = (pred == gold).astype(float)
    for lo, hi in zip(edges[:-1], edges[1:]):
        in_bin = (conf > lo) & (conf <= hi)
        if in_bin.any():
            ece += in_bin.mean() * abs(correct[in_bin].mean() - conf[in_bin].mean())

    out = {
        "source": source,
        "labels": ["a", "b", "c", "d"],
        "gold": gold.tolist(),
        "logits": logits.tolist(),
        "accuracy": float(correct.mean()),
        "precision": precision.tolist(),
        "recall": recall.tolist(),
        "f1": f1.tolist(),
        "support": support.astype(int).tolist(),
        "f1_macro": float(f1.mean()),
        "f1_weighted": float((f1 * support).sum() / support.sum()),
        "confusion_matrix": cm.tolist(),
        "loss": loss,
        "ece": float(ece),
    }
    with open(out_path, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
