package io.mergelab.report.stats;

import java.util.Optional;
import java.util.OptionalDouble;

/**
 * One model's score over n seeds: the mean, the sample standard deviation (n − 1 in the denominator) and the
 * Student-t interval of the mean. With one seed there is neither: {@link #hasInterval()} is false, and a table shows
 * the single score without ± or interval.
 */
public record SeedSummary(int n, double mean, OptionalDouble sampleStd, Optional<Interval> interval) {

    /** Whether n >= 2, so that the spread and the interval exist. */
    public boolean hasInterval() {
        return interval.isPresent();
    }
}
