/**
 * Statistics for a results table: bootstrap confidence intervals over test examples, paired tests between two
 * models on the same examples (McNemar, paired bootstrap), summaries and paired t-tests across seeds,
 * Holm–Bonferroni adjustment, and the "significantly better" decision built on them.
 *
 * <p>Every quantity is defined exactly in {@code docs/statistics.md} and checked against scipy/numpy golden values
 * ({@code tools/golden/make_stats_golden.py}). Everything random is drawn from a {@link java.util.SplittableRandom}
 * seeded explicitly by the caller, so a result depends only on its inputs and its seed.
 */
package io.mergelab.report.stats;
