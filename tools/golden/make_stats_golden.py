#!/usr/bin/env python3
"""Golden values for io.mergelab.report.stats (StatsGoldenTest, BootstrapGoldenTest).

Inputs are fixed and stored in the JSON: per-example gold labels and the predictions of a few models on the
same examples, drawn once from numpy's seeded PCG64 (models agree with each other more often than chance, as
fine-tuned variants of one base model do), plus hand-written edge cases. Reference values come from scipy
where scipy has the test, and are computed by definition in numpy otherwise:

* accuracy, macro F1: numpy, scikit-learn's definitions with labels=range(k), zero_division=0 (F1 of a class
  = 2tp / (2tp + fp + fn), 0 when tp = 0; macro = unweighted mean over all k classes).
* exact McNemar: scipy.stats.binomtest(b, b + c, 0.5).pvalue (two-sided), checked here to equal
  min(1, 2 * binom.cdf(min(b, c), b + c, 0.5)), which statsmodels' mcnemar(exact=True) computes; 1 when b + c = 0.
* chi-square McNemar with continuity correction: max(0, |b - c| - 1)^2 / (b + c), scipy.stats.chi2.sf(., 1);
  statistic 0 and p 1 when b + c = 0.
* percentile bootstrap (files bootstrap-given.json, bootstrap-reference.json): np.percentile (method="linear",
  numpy's default) of the metric on resampled index sets. bootstrap-given.json stores the index matrix so that
  the Java code, fed the same indices, must reproduce the numbers to rounding; bootstrap-reference.json holds a
  100 000-resample reference that the Java RNG's 2000 resamples are compared with inside a Monte-Carlo bound.
* paired bootstrap p-value: min(1, 2 * (min(#{d* <= 0}, #{d* >= 0}) + 1) / (B + 1)).
* across seeds: scipy.stats.t.interval (Student t CI of the mean), scipy.stats.ttest_rel (paired t-test).
* Holm-Bonferroni: by definition (sorted ascending, (m - j) p_(j) for 0-based j, running maximum, capped at 1).

Usage: python tools/golden/make_stats_golden.py src/test/resources/golden/stats
"""
import json
import os
import sys

import numpy as np
import scipy
import scipy.stats as st


def accuracy(y, p):
    return float(np.mean(y == p))


def macro_f1(y, p, k):
    f1 = np.zeros(k)
    for c in range(k):
        tp = int(np.sum((y == c) & (p == c)))
        fp = int(np.sum((y != c) & (p == c)))
        fn = int(np.sum((y == c) & (p != c)))
        f1[c] = 0.0 if tp == 0 else 2.0 * tp / (2.0 * tp + fp + fn)
    total = 0.0
    for c in range(k):  # summed in class order, as ClassificationMetrics does
        total += f1[c]
    return total / k


METRICS = {"accuracy": lambda y, p, k: accuracy(y, p), "macro_f1": macro_f1}


def batched_metric(metric, y, p, k):
    """The metric of each row of the 2-d arrays y, p (one resample per row)."""
    if metric == "accuracy":
        return np.mean(y == p, axis=1)
    total = np.zeros(y.shape[0])
    for c in range(k):
        tp = np.sum((y == c) & (p == c), axis=1)
        fp = np.sum((y != c) & (p == c), axis=1)
        fn = np.sum((y == c) & (p != c), axis=1)
        total += np.where(tp == 0, 0.0, 2.0 * tp / np.maximum(2.0 * tp + fp + fn, 1))
    return total / k


def discordant(y, a, b):
    ra, rb = a == y, b == y
    return int(np.sum(ra & ~rb)), int(np.sum(~ra & rb))


def mcnemar_exact(b, c):
    if b + c == 0:
        return 1.0
    p = float(st.binomtest(b, b + c, 0.5).pvalue)
    by_formula = min(1.0, 2.0 * float(st.binom.cdf(min(b, c), b + c, 0.5)))
    assert abs(p - by_formula) <= 1e-12 * max(p, by_formula) + 1e-300, (b, c, p, by_formula)
    return p


def mcnemar_chi2(b, c):
    if b + c == 0:
        return 0.0, 1.0
    stat = max(0, abs(b - c) - 1) ** 2 / (b + c)
    return float(stat), float(st.chi2.sf(stat, 1))


def mcnemar_entry(name, n, b, c):
    chi_stat, chi_p = mcnemar_chi2(b, c)
    return {"name": name, "n": n, "b": b, "c": c,
            "exact": {"statistic": min(b, c), "p_value": mcnemar_exact(b, c)},
            "chi_square": {"statistic": chi_stat, "p_value": chi_p}}


def noisy_model(rng, y, k, accuracy_target, base=None, agree=0.0):
    """Predictions that are right with probability accuracy_target; where a base model is given, each example
    copies the base model's prediction with probability agree (so the two models make correlated errors)."""
    n = len(y)
    right = rng.random(n) < accuracy_target
    wrong = (y + rng.integers(1, k, size=n)) % k
    pred = np.where(right, y, wrong)
    if base is not None:
        copy = rng.random(n) < agree
        pred = np.where(copy, base, pred)
    return pred


def percentile_ci(values, level):
    lo, hi = np.percentile(values, [100 * (1 - level) / 2, 100 * (1 + level) / 2])
    return float(lo), float(hi)


def paired_p(deltas):
    le = int(np.sum(deltas <= 0))
    ge = int(np.sum(deltas >= 0))
    return min(1.0, 2.0 * (min(le, ge) + 1) / (len(deltas) + 1))


def bootstrap_values(y, pred, k, metric, idx):
    return np.array([METRICS[metric](y[r], pred[r], k) for r in idx])


def datasets(rng):
    out = {}
    y3 = rng.integers(0, 3, size=300)
    a3 = noisy_model(rng, y3, 3, 0.82)
    b3 = noisy_model(rng, y3, 3, 0.74, base=a3, agree=0.55)
    c3 = noisy_model(rng, y3, 3, 0.82, base=a3, agree=0.9)
    out["three_class"] = {"num_classes": 3, "labels": y3, "models": {"a": a3, "b": b3, "c": c3}}
    y2 = (rng.random(200) < 0.35).astype(int)  # unbalanced binary
    a2 = noisy_model(rng, y2, 2, 0.85)
    b2 = noisy_model(rng, y2, 2, 0.80, base=a2, agree=0.5)
    out["two_class"] = {"num_classes": 2, "labels": y2, "models": {"a": a2, "b": b2}}
    # tiny: 5 examples, class 2 never occurs and is predicted once (zero division in recall/F1 of class 2)
    out["tiny"] = {"num_classes": 3, "labels": np.array([0, 1, 1, 0, 1]),
                   "models": {"a": np.array([0, 1, 2, 0, 0]), "b": np.array([0, 0, 1, 1, 1])}}
    # identical models: b + c = 0
    out["identical"] = {"num_classes": 2, "labels": y2[:50], "models": {"a": a2[:50], "b": a2[:50].copy()}}
    # b == c: swap the correctness of two examples
    ya = np.array([0, 1, 0, 1, 0, 1, 0, 1])
    out["balanced_disagreement"] = {"num_classes": 2, "labels": ya,
                                    "models": {"a": np.array([0, 1, 1, 0, 0, 1, 0, 1]),
                                               "b": np.array([1, 0, 0, 1, 0, 1, 0, 1])}}
    return out


def main(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    rng = np.random.default_rng(20260214)
    data = datasets(rng)
    source = {"generator": "tools/golden/make_stats_golden.py",
              "command": "python tools/golden/make_stats_golden.py " + out_dir,
              "numpy": np.__version__, "scipy": scipy.__version__}

    # --- metrics and McNemar on stored predictions -------------------------------------------------------------
    cases = []
    for name, d in data.items():
        y, k = d["labels"], d["num_classes"]
        models = d["models"]
        entry = {"name": name, "num_classes": k, "labels": y.tolist(),
                 "predictions": {m: p.tolist() for m, p in models.items()},
                 "accuracy": {m: accuracy(y, p) for m, p in models.items()},
                 "macro_f1": {m: macro_f1(y, p, k) for m, p in models.items()},
                 "mcnemar": []}
        names = list(models)
        for i in range(len(names)):
            for j in range(i + 1, len(names)):
                b, c = discordant(y, models[names[i]], models[names[j]])
                e = mcnemar_entry(names[i] + "_vs_" + names[j], len(y), b, c)
                e["model_a"], e["model_b"] = names[i], names[j]
                entry["mcnemar"].append(e)
        cases.append(entry)
    assert cases[3]["mcnemar"][0]["b"] + cases[3]["mcnemar"][0]["c"] == 0
    assert cases[4]["mcnemar"][0]["b"] == cases[4]["mcnemar"][0]["c"] > 0
    counts = [(0, 0), (1, 0), (0, 1), (1, 1), (2, 3), (5, 5), (4, 9), (10, 2), (0, 30), (25, 26), (60, 40),
              (200, 20), (1000, 1100), (3, 40)]
    count_cases = [mcnemar_entry("counts_%d_%d" % bc, 2 * sum(bc) + 10, *bc) for bc in counts]
    write(out_dir, "metrics-mcnemar.json", {"source": source, "cases": cases, "count_cases": count_cases})

    # --- bootstrap with a stored index matrix ------------------------------------------------------------------
    tc = data["three_class"]
    n_given, b_given = 200, 100
    y = tc["labels"][:n_given]
    models = {m: p[:n_given] for m, p in tc["models"].items()}
    idx = rng.integers(0, n_given, size=(b_given, n_given))
    level = 0.95
    intervals, paired = [], []
    for metric in METRICS:
        for m, p in models.items():
            vals = bootstrap_values(y, p, 3, metric, idx)
            lo, hi = percentile_ci(vals, level)
            intervals.append({"model": m, "metric": metric, "estimate": METRICS[metric](y, p, 3),
                              "lower": lo, "upper": hi})
        for a, b in [("a", "b"), ("a", "c"), ("c", "a")]:
            d = bootstrap_values(y, models[a], 3, metric, idx) - bootstrap_values(y, models[b], 3, metric, idx)
            lo, hi = percentile_ci(d, level)
            paired.append({"model_a": a, "model_b": b, "metric": metric,
                           "difference": METRICS[metric](y, models[a], 3) - METRICS[metric](y, models[b], 3),
                           "lower": lo, "upper": hi, "p_value": paired_p(d),
                           "at_or_below_zero": int(np.sum(d <= 0)), "at_or_above_zero": int(np.sum(d >= 0))})
    write(out_dir, "bootstrap-given.json", {
        "source": source, "num_classes": 3, "level": level, "labels": y.tolist(),
        "predictions": {m: p.tolist() for m, p in models.items()}, "resamples": idx.tolist(),
        "intervals": intervals, "paired": paired})

    # --- large-B reference for the Java RNG's bootstrap --------------------------------------------------------
    # Vectorised over chunks of resamples (the same definitions as accuracy() and macro_f1(), on 2-d arrays).
    y, k = tc["labels"], 3
    n = len(y)
    b_ref = 100_000
    ref = []
    for metric in METRICS:
        for a, b in [("a", "b"), ("a", "c")]:
            pa, pb = tc["models"][a], tc["models"][b]
            va, vb = np.empty(b_ref), np.empty(b_ref)
            for start in range(0, b_ref, 10_000):
                rows = rng.integers(0, n, size=(10_000, n))
                va[start:start + 10_000] = batched_metric(metric, y[rows], pa[rows], k)
                vb[start:start + 10_000] = batched_metric(metric, y[rows], pb[rows], k)
            d = va - vb
            lo, hi = percentile_ci(va, level)
            dlo, dhi = percentile_ci(d, level)
            ref.append({"model_a": a, "model_b": b, "metric": metric,
                        "a": {"lower": lo, "upper": hi, "sd": float(np.std(va, ddof=1))},
                        "difference": {"lower": dlo, "upper": dhi, "sd": float(np.std(d, ddof=1)),
                                       "p_value": paired_p(d)}})
    write(out_dir, "bootstrap-reference.json", {
        "source": source, "dataset": "three_class of metrics-mcnemar.json", "num_classes": k, "level": level,
        "resamples": b_ref, "reference": ref})

    # --- across seeds ------------------------------------------------------------------------------------------
    summaries = []
    for name, xs, lvl in [("five", [0.812, 0.8305, 0.799, 0.8231, 0.8402], 0.95),
                          ("five_90", [0.812, 0.8305, 0.799, 0.8231, 0.8402], 0.90),
                          ("three", [0.61, 0.64, 0.58], 0.95),
                          ("two", [0.7, 0.9], 0.95),
                          ("constant", [0.75, 0.75, 0.75], 0.95),
                          ("one", [0.77], 0.95)]:
        x = np.array(xs)
        e = {"name": name, "scores": xs, "level": lvl, "n": len(xs), "mean": float(np.mean(x))}
        if len(xs) > 1:
            sd = float(np.std(x, ddof=1))
            e["std"] = sd
            if sd > 0:
                lo, hi = st.t.interval(lvl, len(xs) - 1, loc=np.mean(x), scale=st.sem(x))
            else:
                lo = hi = float(np.mean(x))  # scipy gives nan for scale 0; the interval degenerates to the mean
            e["lower"], e["upper"] = float(lo), float(hi)
        summaries.append(e)
    t_tests = []
    for name, a, b in [("five", [0.812, 0.8305, 0.799, 0.8231, 0.8402], [0.801, 0.8211, 0.8012, 0.815, 0.829]),
                       ("three_worse", [0.61, 0.64, 0.58], [0.66, 0.69, 0.6]),
                       ("two", [0.7, 0.9], [0.65, 0.8]),
                       ("constant_difference", [0.5, 0.75, 0.25], [0.25, 0.5, 0.0]),
                       ("identical", [0.5, 0.75, 0.25], [0.5, 0.75, 0.25])]:
        r = st.ttest_rel(a, b)
        e = {"name": name, "a": a, "b": b, "n": len(a),
             "mean_difference": float(np.mean(np.array(a) - np.array(b)))}
        if np.isnan(r.statistic):  # all differences 0: no evidence either way (scipy: nan)
            e["statistic"], e["p_value"] = 0.0, 1.0
        else:
            e["statistic"] = "Infinity" if np.isinf(r.statistic) else float(r.statistic)
            e["p_value"] = float(r.pvalue)
        t_tests.append(e)

    # --- Holm --------------------------------------------------------------------------------------------------
    families = [[0.01, 0.04, 0.03, 0.005], [0.02, 0.02, 0.5], [0.3, 0.4, 0.5], [1.0], [0.049],
                [0.0001, 0.2, 0.013, 0.0125, 0.9, 0.04, 0.011], []]
    holm = []
    for p in families:
        holm.append({"p_values": p, "adjusted": holm_adjust(p)})
    write(out_dir, "seeds-holm.json", {"source": source, "summaries": summaries, "paired_t": t_tests,
                                       "holm": holm})


def holm_adjust(p):
    m = len(p)
    order = sorted(range(m), key=lambda i: p[i])
    adjusted = [0.0] * m
    running = 0.0
    for j, i in enumerate(order):
        running = max(running, min(1.0, (m - j) * p[i]))
        adjusted[i] = running
    return adjusted


def write(out_dir, name, obj):
    with open(os.path.join(out_dir, name), "w") as f:
        json.dump(obj, f, separators=(",", ":") if name.startswith("bootstrap-given") else None,
                  indent=None if name.startswith("bootstrap-given") else 1)
        f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
