package io.mergelab.report.stats;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Nonparametric bootstrap over test examples (Efron &amp; Tibshirani 1993, An Introduction to the Bootstrap): each
 * of B resamples draws n example indices uniformly with replacement, and the metric is recomputed on the resampled
 * (label, prediction) pairs. Intervals are percentile intervals (ibid., ch. 13): the {@code (1 - level)/2} and
 * {@code (1 + level)/2} quantiles of the B values, by linear interpolation between order statistics
 * ({@link #quantile}; numpy's default, Hyndman &amp; Fan's type 7).
 *
 * <p>Indices come from {@code new SplittableRandom(seed)}, drawn resample by resample, {@code nextInt(n)} per
 * example. So one seed gives the same resamples to every call with the same n: intervals of different models (and
 * of both metrics) on one test set are computed on common resamples, and a paired test resamples A and B jointly.
 */
public final class Bootstrap {
    private final BootstrapConfig config;

    public Bootstrap(BootstrapConfig config) {
        this.config = config;
    }

    public BootstrapConfig config() {
        return config;
    }

    /** Percentile bootstrap interval of {@code metric} for one model's predictions. */
    public BootstrapInterval interval(int[] labels, int[] predictions, int numClasses, Metric metric) {
        Inputs.checkExamples(labels, numClasses, predictions);
        return interval(labels, predictions, numClasses, metric, seeded(labels.length), config.resamples(),
                config.level());
    }

    /**
     * Paired bootstrap test of A against B on the same examples: both models are scored on the same resampled
     * indices, giving B differences d* = metric(A*) − metric(B*). Returns the observed difference, the percentile
     * interval of d*, and the two-sided p-value
     * <pre>  p = min(1, 2 · (min(#{d* ≤ 0}, #{d* ≥ 0}) + 1) / (B + 1))</pre>
     * i.e. twice the bootstrap mass on the far side of 0 (resampled differences equal to 0 count on both sides):
     * about the smallest {@code 1 − level} whose equal-tailed percentile interval excludes 0 (the test obtained
     * by inverting the percentile interval, Efron &amp; Tibshirani 1993, §15.4), with the Monte-Carlo
     * correction {@code (count + 1) / (B + 1)} of Davison &amp; Hinkley 1997 (Bootstrap Methods and their
     * Application, §4.2.1, Monte Carlo tests), which counts the observed sample as one resample so that p is never 0.
     */
    public PairedBootstrapResult pairedTest(int[] labels, int[] predictionsA, int[] predictionsB, int numClasses,
                                            Metric metric) {
        Inputs.checkExamples(labels, numClasses, predictionsA, predictionsB);
        return pairedTest(labels, predictionsA, predictionsB, numClasses, metric, seeded(labels.length),
                config.resamples(), config.level());
    }

    /** {@link #interval} on given resamples (row b = the example indices of resample b); for golden tests. */
    static BootstrapInterval interval(int[] labels, int[] predictions, int numClasses, Metric metric,
                                      int[][] resamples, double level) {
        Inputs.checkExamples(labels, numClasses, predictions);
        Inputs.checkLevel("bootstrap level", level);
        return interval(labels, predictions, numClasses, metric, given(resamples, labels.length), resamples.length,
                level);
    }

    /** {@link #pairedTest} on given resamples (row b = the example indices of resample b); for golden tests. */
    static PairedBootstrapResult pairedTest(int[] labels, int[] predictionsA, int[] predictionsB, int numClasses,
                                            Metric metric, int[][] resamples, double level) {
        Inputs.checkExamples(labels, numClasses, predictionsA, predictionsB);
        Inputs.checkLevel("bootstrap level", level);
        return pairedTest(labels, predictionsA, predictionsB, numClasses, metric, given(resamples, labels.length),
                resamples.length, level);
    }

    /**
     * The q-quantile of ascending {@code sorted} by linear interpolation between order statistics at position
     * {@code (B - 1) q} (numpy's {@code percentile(method="linear")}).
     */
    static double quantile(double[] sorted, double q) {
        double h = (sorted.length - 1) * q;
        int lo = (int) Math.floor(h);
        if (lo >= sorted.length - 1) {
            return sorted[sorted.length - 1];
        }
        double t = h - lo;
        double a = sorted[lo];
        double b = sorted[lo + 1];
        // numpy interpolates from the nearer end, which keeps the result monotone in q and exact at t = 1
        return t >= 0.5 ? b - (b - a) * (1 - t) : a + (b - a) * t;
    }

    /** Fills {@code indices} with the example indices of resample b; called for b = 0, 1, ... in order. */
    private interface Resampler {
        void fill(int b, int[] indices);
    }

    private Resampler seeded(int n) {
        SplittableRandom rng = new SplittableRandom(config.seed());
        return (b, indices) -> {
            for (int i = 0; i < n; i++) {
                indices[i] = rng.nextInt(n);
            }
        };
    }

    private static Resampler given(int[][] resamples, int n) {
        if (resamples.length == 0) {
            throw new IllegalArgumentException("bootstrap: no resamples given");
        }
        for (int b = 0; b < resamples.length; b++) {
            if (resamples[b].length != n) {
                throw new IllegalArgumentException("bootstrap: resample " + b + " has " + resamples[b].length
                        + " indices, expected " + n);
            }
            for (int i : resamples[b]) {
                if (i < 0 || i >= n) {
                    throw new IllegalArgumentException("bootstrap: resample " + b + " has index " + i
                            + " outside 0.." + (n - 1));
                }
            }
        }
        return (b, indices) -> System.arraycopy(resamples[b], 0, indices, 0, n);
    }

    private static BootstrapInterval interval(int[] labels, int[] predictions, int numClasses, Metric metric,
                                              Resampler resampler, int resamples, double level) {
        int n = labels.length;
        int[] indices = new int[n];
        int[] y = new int[n];
        int[] p = new int[n];
        double[] values = new double[resamples];
        for (int b = 0; b < resamples; b++) {
            resampler.fill(b, indices);
            for (int i = 0; i < n; i++) {
                y[i] = labels[indices[i]];
                p[i] = predictions[indices[i]];
            }
            values[b] = metric.score(y, p, numClasses);
        }
        Arrays.sort(values);
        return new BootstrapInterval(metric.score(labels, predictions, numClasses),
                quantile(values, (1 - level) / 2), quantile(values, (1 + level) / 2), resamples, level);
    }

    private static PairedBootstrapResult pairedTest(int[] labels, int[] predictionsA, int[] predictionsB,
                                                    int numClasses, Metric metric, Resampler resampler,
                                                    int resamples, double level) {
        int n = labels.length;
        int[] indices = new int[n];
        int[] y = new int[n];
        int[] a = new int[n];
        int[] bb = new int[n];
        double[] deltas = new double[resamples];
        int atOrBelowZero = 0;
        int atOrAboveZero = 0;
        for (int b = 0; b < resamples; b++) {
            resampler.fill(b, indices);
            for (int i = 0; i < n; i++) {
                y[i] = labels[indices[i]];
                a[i] = predictionsA[indices[i]];
                bb[i] = predictionsB[indices[i]];
            }
            double d = metric.score(y, a, numClasses) - metric.score(y, bb, numClasses);
            deltas[b] = d;
            if (d <= 0) {
                atOrBelowZero++;
            }
            if (d >= 0) {
                atOrAboveZero++;
            }
        }
        Arrays.sort(deltas);
        double p = Math.min(1.0, 2.0 * (Math.min(atOrBelowZero, atOrAboveZero) + 1) / (resamples + 1));
        double observed = metric.score(labels, predictionsA, numClasses)
                - metric.score(labels, predictionsB, numClasses);
        return new PairedBootstrapResult(observed, quantile(deltas, (1 - level) / 2), quantile(deltas, (1 + level) / 2),
                p, resamples, level);
    }
}
