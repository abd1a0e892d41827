package io.mergelab.report.stats;

/**
 * McNemar's test of model A against model B on the same n examples: {@code b} = examples A gets right and B wrong,
 * {@code c} = examples A gets wrong and B right. {@code statistic} is min(b, c) for the exact test and the
 * continuity-corrected chi-square for the other; {@code pValue} is two-sided.
 */
public record McNemarResult(McNemar.Method method, int n, int b, int c, double statistic, double pValue)
        implements PairedComparison {

    /** Accuracy(A) − accuracy(B) = (b − c) / n. */
    @Override
    public double difference() {
        return (double) (b - c) / n;
    }
}
