package io.mergelab.report.stats;

/** A closed interval {@code [lower, upper]} at two-sided confidence {@code level}. */
public record Interval(double lower, double upper, double level) {
}
