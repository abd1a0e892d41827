package io.mergelab.report.stats;

/**
 * Settings of the bootstrap over test examples: number of resamples B, two-sided confidence level of the percentile
 * interval, and the seed of the {@link java.util.SplittableRandom} that draws the resampled indices.
 */
public record BootstrapConfig(int resamples, double level, long seed) {
    public static final int DEFAULT_RESAMPLES = 2000;
    public static final double DEFAULT_LEVEL = 0.95;
    public static final long DEFAULT_SEED = 1234L;
    /** B = 2000, 95 %, seed 1234. */
    public static final BootstrapConfig DEFAULT = new BootstrapConfig(DEFAULT_RESAMPLES, DEFAULT_LEVEL, DEFAULT_SEED);

    public BootstrapConfig {
        if (resamples < 1) {
            throw new IllegalArgumentException("bootstrap: resamples must be at least 1, got " + resamples);
        }
        Inputs.checkLevel("bootstrap level", level);
    }

    public BootstrapConfig withResamples(int b) {
        return new BootstrapConfig(b, level, seed);
    }

    public BootstrapConfig withLevel(double l) {
        return new BootstrapConfig(resamples, l, seed);
    }

    public BootstrapConfig withSeed(long s) {
        return new BootstrapConfig(resamples, level, s);
    }
}
