package io.mergelab.report.stats;

import org.apache.commons.math3.distribution.TDistribution;

import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Statistics over several runs of the same model with different seeds, one score per run: the spread that the seed
 * causes (initialisation, data order, dropout), which the bootstrap over test examples does not see.
 */
public final class SeedStatistics {
    /** Solver accuracy for the t quantile; commons-math's default (1e-9) would show in the 10th digit. */
    private static final double QUANTILE_ACCURACY = 1e-14;

    private SeedStatistics() {
    }

    /**
     * Mean, sample std and the Student-t interval {@code mean ± t_{n−1, (1+level)/2} · s / √n} at two-sided
     * {@code level} (scipy's {@code t.interval(level, n − 1, loc=mean, scale=sem)}). One score: no std, no
     * interval. All scores equal: std 0 and the interval is the single point {@code [mean, mean]}.
     */
    public static SeedSummary summarize(double[] scores, double level) {
        Inputs.checkLevel("confidence level", level);
        checkScores("scores", scores);
        int n = scores.length;
        double mean = mean(scores);
        if (n == 1) {
            return new SeedSummary(1, mean, OptionalDouble.empty(), Optional.empty());
        }
        double sd = sampleStd(scores, mean);
        double t = new TDistribution(null, n - 1, QUANTILE_ACCURACY).inverseCumulativeProbability((1 + level) / 2);
        double half = t * sd / Math.sqrt(n);
        Interval interval = new Interval(mean - half, mean + half, level);
        return new SeedSummary(n, mean, OptionalDouble.of(sd), Optional.of(interval));
    }

    /** {@link #summarize(double[], double)} at 95 %. */
    public static SeedSummary summarize(double[] scores) {
        return summarize(scores, 0.95);
    }

    /**
     * Paired t-test of A against B over the same seeds ({@code a[i]} and {@code b[i]} from seed i), as scipy's
     * {@code ttest_rel(a, b)}: differences d = a − b, t = mean(d) / (sd(d) / √n), two-sided p = 2 · T_{n−1}(−|t|).
     * Empty when n < 2 (no variance to test against). When every difference is the same number d: t = ±∞, p = 0 for
     * d ≠ 0 (scipy agrees), and t = 0, p = 1 for d = 0 (identical scores; scipy gives NaN).
     */
    public static Optional<PairedTTest> pairedTTest(double[] a, double[] b) {
        checkScores("scores of model A", a);
        checkScores("scores of model B", b);
        if (a.length != b.length) {
            throw new IllegalArgumentException("stats: paired t-test needs one score per seed from each model, got "
                    + a.length + " and " + b.length);
        }
        int n = a.length;
        if (n < 2) {
            return Optional.empty();
        }
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            d[i] = a[i] - b[i];
        }
        double mean = mean(d);
        double sd = sampleStd(d, mean);
        double t;
        double p;
        if (sd == 0) {
            t = mean == 0 ? 0 : Math.copySign(Double.POSITIVE_INFINITY, mean);
            p = mean == 0 ? 1 : 0;
        } else {
            t = mean / (sd / Math.sqrt(n));
            p = Math.min(1.0, 2 * new TDistribution(null, n - 1).cumulativeProbability(-Math.abs(t)));
        }
        return Optional.of(new PairedTTest(n, mean, t, n - 1, p));
    }

    private static double mean(double[] x) {
        double sum = 0;
        for (double v : x) {
            sum += v;
        }
        return sum / x.length;
    }

    private static double sampleStd(double[] x, double mean) {
        double ss = 0;
        for (double v : x) {
            ss += (v - mean) * (v - mean);
        }
        return Math.sqrt(ss / (x.length - 1));
    }

    private static void checkScores(String what, double[] scores) {
        if (scores.length == 0) {
            throw new IllegalArgumentException("stats: no " + what + " (need one score per seed)");
        }
        for (int i = 0; i < scores.length; i++) {
            if (!Double.isFinite(scores[i])) {
                throw new IllegalArgumentException("stats: " + what + "[" + i + "] = " + scores[i]
                        + " is not finite");
            }
        }
    }
}
