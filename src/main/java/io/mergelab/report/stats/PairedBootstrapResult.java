package io.mergelab.report.stats;

/**
 * Paired bootstrap comparison of model A with model B on one metric: {@code difference} = metric(A) − metric(B) on
 * the full test set, its percentile interval {@code [lower, upper]} at {@code level}, and the two-sided p-value
 * {@code min(1, 2 (min(#{d* <= 0}, #{d* >= 0}) + 1) / (B + 1))} over the B resampled differences d*
 * (see {@link Bootstrap#pairedTest}).
 */
public record PairedBootstrapResult(double difference, double lower, double upper, double pValue, int resamples,
                                    double level) implements PairedComparison {
}
