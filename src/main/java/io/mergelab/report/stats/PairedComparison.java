package io.mergelab.report.stats;

/**
 * The result of a two-sided paired test of model A against model B: the observed difference A − B (positive
 * favours A, in the units of the test's score) and the two-sided p-value of "no difference".
 */
public interface PairedComparison {
    /** Observed A − B; positive when A scored higher. */
    double difference();

    /** Two-sided p-value, in [0, 1]. */
    double pValue();
}
