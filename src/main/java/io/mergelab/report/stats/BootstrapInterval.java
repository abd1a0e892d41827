package io.mergelab.report.stats;

/**
 * A metric on the full test set ({@code estimate}) with its percentile bootstrap interval {@code [lower, upper]}
 * at two-sided {@code level}, from {@code resamples} resamples of the examples.
 */
public record BootstrapInterval(double estimate, double lower, double upper, int resamples, double level) {
}
