package io.mergelab.merge.methods;

import io.mergelab.merge.BasePolicy;
import io.mergelab.merge.MergeMethod;
import io.mergelab.merge.ModelCount;
import io.mergelab.merge.ParamSpec;
import io.mergelab.merge.TensorMerge;

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
 * threshold may fall the other way than in mergekit.
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
    public float[] merge(TensorMerge t) {
        float[] base = t.base().data();
        float[] x = t.others().get(0).data();
        if (base.length == 0) {
            return new float[0];
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

    /** median + 1.5·(q3 - q1), in float32 as mergekit computes it. */
    static float threshold(float[] importance, SplittableRandom rng) {
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
        return median + 1.5f * (q3 - q1);
    }
}
