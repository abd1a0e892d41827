package io.mergelab.merge.methods;

import io.mergelab.merge.MergeException;

import java.util.SplittableRandom;

/** mergekit's per-tensor, per-model delta sparsifiers. All return a new array; {@code density >= 1} returns the input. */
enum Sparsifier {
    /** TIES: keep the max(1, int(d·N)) largest magnitudes. */
    MAGNITUDE,
    /** DARE: keep each element independently with probability d. */
    RANDOM,
    /** Breadcrumbs: drop the int(γ·N) largest outliers, then the smallest, keeping int(d·N). */
    MAGNITUDE_OUTLIERS,
    /** DELLA: per-row rank-dependent keep probability (d-ε) + 2ε·(r-1)/(n-1). */
    DELLA_MAGPRUNE;

    float[] apply(String tensor, String model, float[] delta, double density, double gamma, double epsilon,
            int rowLen, boolean rescale, boolean inPlace, SplittableRandom rng) {
        if (density >= 1) {
            return delta;
        }
        int n = delta.length;
        if (density <= 0 || n == 0) {
            return new float[n];
        }
        if (this == MAGNITUDE || this == RANDOM) {
            // fused paths: no mask array, no copy (these run on the largest tensors)
            double before = rescale ? l1(delta) : 0;
            float[] out = inPlace ? delta : delta.clone();
            if (this == MAGNITUDE) {
                OrderStatistics.keepTopKInPlace(out, Math.max(1, (int) (density * (double) n)));
            } else {
                // two 32-bit uniforms per nextLong(): keep with probability threshold / 2^32 = density
                long threshold = (long) Math.ceil(density * 4294967296.0);
                int i = 0;
                for (; i + 1 < n; i += 2) {
                    long r = rng.nextLong();
                    if ((r & 0xffffffffL) >= threshold) {
                        out[i] = 0f;
                    }
                    if ((r >>> 32) >= threshold) {
                        out[i + 1] = 0f;
                    }
                }
                if (i < n && (rng.nextLong() & 0xffffffffL) >= threshold) {
                    out[i] = 0f;
                }
            }
            if (rescale) {
                rescaleL1(before, out);
            }
            return out;
        }
        boolean[] keep;
        switch (this) {
            case MAGNITUDE -> keep = OrderStatistics.topK(delta, Math.max(1, (int) (density * (double) n)));
            case MAGNITUDE_OUTLIERS -> {
                int target = (int) (density * n);
                int top = (int) (gamma * n);
                int bot = Math.max(0, n - target - top);
                keep = OrderStatistics.keepRankWindow(delta, bot, Math.min(n, bot + target));
            }
            case RANDOM -> {
                keep = new boolean[n];
                for (int i = 0; i < n; i++) {
                    keep[i] = rng.nextDouble() < density;
                }
            }
            case DELLA_MAGPRUNE -> {
                if (density + epsilon >= 1 || density - epsilon <= 0) {
                    throw MergeException.at(tensor, "model " + model + ": parameters 'density' (" + density
                            + ") and 'epsilon' (" + epsilon + ") must keep density ± epsilon inside (0, 1)");
                }
                keep = new boolean[n];
                int[] rank = OrderStatistics.rowRanks(delta, rowLen);
                double span = rowLen - 1;
                for (int i = 0; i < n; i++) {
                    double norm = span == 0 ? 0 : (rank[i] - 1) / span;
                    double p = (density - epsilon) + norm * 2 * epsilon;
                    keep[i] = rng.nextDouble() < p;
                }
            }
            default -> throw new IllegalStateException(name());
        }
        double before = rescale ? l1(delta) : 0;
        float[] out = inPlace ? delta : new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = keep[i] ? delta[i] : 0f;
        }
        if (rescale) {
            rescaleL1(before, out);
        }
        return out;
    }

    private static double l1(float[] x) {
        double s = 0;
        for (float v : x) {
            s += Math.abs(v);
        }
        return s;
    }

    /** Norm matching, not 1/density: scales {@code masked} to the L1 norm {@code before} of the original (skips tiny norms). */
    static void rescaleL1(double before, float[] masked) {
        double after = l1(masked);
        if (before < 1e-7 || after < 1e-7) {
            return;
        }
        float scale = (float) (before / after);
        for (int i = 0; i < masked.length; i++) {
            masked[i] *= scale;
        }
    }
}
