package io.mergelab.merge.methods;

import io.mergelab.merge.BasePolicy;
import io.mergelab.merge.MergeMethod;
import io.mergelab.merge.ModelCount;
import io.mergelab.merge.ParamSpec;
import io.mergelab.merge.Precision;
import io.mergelab.merge.TensorMerge;
import io.mergelab.merge.TorchReductions;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Arcee Fusion as mergekit's arcee_fusion.py: importance_i = |x_i - base_i| · KL(softmax(x row) ‖ softmax(base row))
 * (softmax over the last dimension, each probability + 1e-8); the other model's change is kept where importance
 * reaches median + 1.5·(q3 - q1) of the tensor's importances, the base elsewhere.
 *
 * <p>Quantiles are mergekit's: sorted[int(q·(n-1))] with q·(n-1) in float32, over the whole tensor up to 10^6
 * elements, else over 10^6 elements drawn with replacement (here from the tensor's seed, so only statistics can
 * match). The KL divergence is computed in double: torch's float32 sum of p·log(p/q) cancels heavily (measured
 * 5e-4 relative from float64 on the golden fixtures), so an element whose importance lies that close to the
 * threshold may fall the other way than in mergekit. In bfloat16 / float16 every op follows torch's
 * ({@link #importanceInDtype}), so up to 10^6 elements the result is mergekit's bit for bit.
 */
public final class ArceeFusionMethod implements MergeMethod {
    /** mergekit's _QUANTILE_SAMPLE_SIZE. */
    static final int QUANTILE_SAMPLE = 1_000_000;

    @Override
    public String name() {
        return "arcee_fusion";
    }

    @Override
    public String description() {
        return "Arcee Fusion (Arcee AI, mergekit): keep the other model's changes only where their importance (size"
                + " times the KL divergence of the softmaxed rows) reaches the tensor's median + 1.5 IQR.";
    }

    @Override
    public List<ParamSpec> parameters() {
        return List.of();
    }

    @Override
    public BasePolicy basePolicy() {
        return BasePolicy.REQUIRED;
    }

    @Override
    public ModelCount otherModels() {
        return ModelCount.exactly(1);
    }

    @Override
    public boolean computesInDtype() {
        return true;
    }

    @Override
    public float[] merge(TensorMerge t) {
        float[] base = t.base().data();
        float[] x = t.others().get(0).data();
        if (base.length == 0) {
            return new float[0];
        }
        Precision p = t.precision();
        if (p.reduced()) {
            float[] importance = importanceInDtype(x, base, t.rowLength(), p);
            float threshold = thresholdInDtype(importance, t.random(), p);
            float[] out = new float[base.length];
            for (int i = 0; i < out.length; i++) {
                // base + (x - base) * mask: the float32 mask makes the sum float32, rounded once on output
                out[i] = importance[i] >= threshold ? p.round(base[i] + p.round(x[i] - base[i])) : base[i];
            }
            return out;
        }
        float[] importance = importance(x, base, t.rowLength());
        float threshold = threshold(importance, t.random());
        float[] out = new float[base.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = importance[i] >= threshold ? base[i] + (x[i] - base[i]) : base[i];
        }
        return out;
    }

    /** |x - base| times the row's KL(p ‖ q), p = softmax(x row) + 1e-8, q = softmax(base row) + 1e-8. */
    static float[] importance(float[] x, float[] base, int row) {
        int n = x.length;
        float[] out = new float[n];
        for (int r = 0; r < n; r += row) {
            double maxX = Double.NEGATIVE_INFINITY;
            double maxB = Double.NEGATIVE_INFINITY;
            for (int i = r; i < r + row; i++) {
                maxX = Math.max(maxX, x[i]);
                maxB = Math.max(maxB, base[i]);
            }
            double sumX = 0;
            double sumB = 0;
            for (int i = r; i < r + row; i++) {
                sumX += Math.exp(x[i] - maxX);
                sumB += Math.exp(base[i] - maxB);
            }
            double kl = 0;
            for (int i = r; i < r + row; i++) {
                double p = Math.exp(x[i] - maxX) / sumX + 1e-8;
                double q = Math.exp(base[i] - maxB) / sumB + 1e-8;
                kl += p * Math.log(p / q);
            }
            for (int i = r; i < r + row; i++) {
                out[i] = (float) (Math.abs(x[i] - base[i]) * kl);
            }
        }
        return out;
    }

    /**
     * {@link #importance} in bfloat16 / float16 as torch computes it: torch's softmax ({@link TorchReductions#softmax}),
     * then + 1e-8, p / q, log (correctly rounded: the same as torch's SLEEF logf for every bfloat16 and float16), p · log,
     * each rounded; the row's float32 sum rounded; |x - base| times it, rounded.
     */
    static float[] importanceInDtype(float[] x, float[] base, int row, Precision p) {
        int n = x.length;
        float[] px = new float[row];
        float[] qb = new float[row];
        float[] terms = new float[row];
        float[] out = new float[n];
        for (int r = 0; r < n; r += row) {
            TorchReductions.softmax(p, x, r, r + row, px);
            TorchReductions.softmax(p, base, r, r + row, qb);
            for (int j = 0; j < row; j++) {
                float pj = p.round(px[j] + 1e-8f);
                float qj = p.round(qb[j] + 1e-8f);
                terms[j] = p.round(pj * p.round((float) Math.log(p.round(pj / qj))));
            }
            float kl = p.round(TorchReductions.sum(terms, 0, row));
            for (int i = r; i < r + row; i++) {
                out[i] = p.round(Math.abs(p.round(x[i] - base[i])) * kl);
            }
        }
        return out;
    }

    /** {@link #threshold} with each op rounded to {@code p} (0-dim tensors of the dtype; 1.5 a float32 scalar). */
    static float thresholdInDtype(float[] importance, SplittableRandom rng, Precision p) {
        float[] q = quartiles(importance, rng);
        return p.round(q[1] + p.round(1.5f * p.round(q[2] - q[0])));
    }

    /** median + 1.5·(q3 - q1), in float32 as mergekit computes it. */
    static float threshold(float[] importance, SplittableRandom rng) {
        float[] q = quartiles(importance, rng);
        return q[1] + 1.5f * (q[2] - q[0]);
    }

    /** q1, median, q3: sorted[int(q·(n-1))] of the tensor or of 10^6 random draws from it. */
    private static float[] quartiles(float[] importance, SplittableRandom rng) {
        int n = importance.length;
        float[] sample;
        if (n > QUANTILE_SAMPLE) {
            sample = new float[QUANTILE_SAMPLE];
            for (int j = 0; j < sample.length; j++) {
                sample[j] = importance[rng.nextInt(n)];
            }
        } else {
            sample = importance.clone();
        }
        float last = sample.length - 1;
        float q1 = OrderStatistics.kth(sample, (int) (0.25f * last));
        float median = OrderStatistics.kth(sample, (int) (0.5f * last));
        float q3 = OrderStatistics.kth(sample, (int) (0.75f * last));
        return new float[] {q1, median, q3};
    }
}
