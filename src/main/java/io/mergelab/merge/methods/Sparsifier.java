package io.mergelab.merge.methods;

import io.mergelab.merge.MergeException;
import io.mergelab.merge.Precision;

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

    /**
     * @param torchOrder where equal magnitudes straddle a TIES / breadcrumbs boundary, keep the ones torch's sort puts
     *                   first, as mergekit does (the merge engine); false: lowest index first (the task-vector analysis,
     *                   whose golden defines that rule)
     */
    float[] apply(String tensor, String model, float[] delta, double density, double gamma, double epsilon,
            int rowLen, boolean rescale, boolean inPlace, SplittableRandom rng, boolean torchOrder) {
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
                OrderStatistics.keepTopKInPlace(out, Math.max(1, (int) (density * (double) n)), torchOrder);
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
                keep = OrderStatistics.keepRankWindow(delta, bot, Math.min(n, bot + target), torchOrder);
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

    /**
     * mergekit's sparsify.py on a delta held in {@code p} (bfloat16 / float16), rounding as torch does: magnitude
     * selection is torch's sort order ({@link TorchSort}; ties decide thousands of elements in bfloat16), masked
     * elements become {@code x * 0}, and the L1 rescale's sums and scale are tensors of the work dtype. Random methods
     * (DARE, DELLA) work in bfloat16 for bfloat16 but in float32 for float16 (torch.bernoulli has no CPU float16
     * kernel) and round once at the end; their draws are mergelab's, so only their statistics match mergekit's.
     */
    float[] applyInDtype(String tensor, String model, float[] delta, double density, double gamma, double epsilon,
            int rowLen, boolean rescale, boolean inPlace, SplittableRandom rng, Precision p) {
        if (density >= 1) {
            return delta;
        }
        int n = delta.length;
        if (this != MAGNITUDE_OUTLIERS && (density <= 0 || n == 0)) {
            return new float[n];
        }
        Precision work = (this == RANDOM || this == DELLA_MAGPRUNE) && p == Precision.FLOAT16 ? Precision.FLOAT32 : p;
        boolean[] keep;
        switch (this) {
            case MAGNITUDE -> keep = TorchSort.positionsOfMagnitudes(delta, true, 0,
                    Math.max(1, (int) (density * (double) n)));
            case MAGNITUDE_OUTLIERS -> {
                int target = (int) (density * n);
                int bot = Math.max(0, n - target - (int) (gamma * n));
                keep = TorchSort.positionsOfMagnitudes(delta, false, bot, bot + target);
            }
            case RANDOM -> {
                // torch.bernoulli(torch.full_like(x, density, dtype=work)): the probability is a work-dtype value
                double prob = work.round((float) density);
                keep = new boolean[n];
                for (int i = 0; i < n; i++) {
                    keep[i] = rng.nextDouble() < prob;
                }
            }
            case DELLA_MAGPRUNE -> {
                if (density + epsilon >= 1 || density - epsilon <= 0) {
                    throw MergeException.at(tensor, "model " + model + ": parameters 'density' (" + density
                            + ") and 'epsilon' (" + epsilon + ") must keep density ± epsilon inside (0, 1)");
                }
                keep = dellaKeep(delta, density, epsilon, rowLen, rng, work);
            }
            default -> throw new IllegalStateException(name());
        }
        float[] out = inPlace ? delta : new float[n];
        double before = 0;
        double after = 0;
        for (int i = 0; i < n; i++) {
            float d = delta[i];
            before += Math.abs(d);
            out[i] = keep[i] ? d : d * 0f; // tensor * mask: -0 for negative elements, as torch
            after += Math.abs(out[i]);
        }
        if (rescale) {
            // rescaled_masked_tensor: abs().sum() of each, in the work dtype; skipped below eps = 1e-7
            float b = work.roundSum(before);
            float a = work.roundSum(after);
            if (!(b < 1e-7f || a < 1e-7f)) {
                float scale = work.round(b / a);
                for (int i = 0; i < n; i++) {
                    out[i] = work.round(out[i] * scale);
                }
            }
        }
        if (work != p) {
            p.round(out); // res.to(tensor.dtype)
        }
        return out;
    }

    /**
     * della_magprune's keep draws with its probabilities computed as torch computes them in {@code work}: per row, rank
     * r (1-based, torch's sort order) as a work-dtype tensor, ((r - min) / (max - min)).clamp(0, 1) · 2 · ε + (d - ε).
     */
    private static boolean[] dellaKeep(float[] delta, double density, double epsilon, int rowLen,
            SplittableRandom rng, Precision work) {
        int n = delta.length;
        boolean[] keep = new boolean[n];
        float[] row = new float[rowLen];
        float[] rank = new float[rowLen];
        float eps = (float) epsilon;
        float shift = (float) (density - epsilon);
        for (int r = 0; r < n; r += rowLen) {
            for (int j = 0; j < rowLen; j++) {
                row[j] = Math.abs(delta[r + j]);
            }
            int[] order = TorchSort.order(row, false);
            float min = Float.POSITIVE_INFINITY;
            float max = Float.NEGATIVE_INFINITY;
            for (int pos = 0; pos < rowLen; pos++) {
                // argsort().argsort(): element order[pos] has rank pos; .to(work) + 1
                float v = work.round(work.round(pos) + 1f);
                rank[order[pos]] = v;
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            float span = work.round(max - min);
            for (int j = 0; j < rowLen; j++) {
                float norm = work.round(work.round(rank[j] - min) / span);
                norm = Math.max(0f, Math.min(1f, norm)); // NaN (a one-element row) stays NaN, as clamp keeps it
                float prob = work.round(shift + work.round(work.round(norm * 2f) * eps));
                keep[r + j] = rng.nextDouble() < prob;
            }
        }
        return keep;
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
