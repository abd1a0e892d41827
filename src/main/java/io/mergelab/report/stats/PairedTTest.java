package io.mergelab.report.stats;

/**
 * Paired t-test of model A against model B over the same n seeds: {@code difference} is the mean of the per-seed
 * differences A − B, {@code statistic} = mean / (sd / √n) with n − 1 {@code degreesOfFreedom}, and the two-sided
 * {@code pValue} (see {@link SeedStatistics#pairedTTest}).
 */
public record PairedTTest(int n, double difference, double statistic, int degreesOfFreedom, double pValue)
        implements PairedComparison {
}
