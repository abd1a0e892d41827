package io.mergelab.merge.methods;

import io.mergelab.merge.BasePolicy;
import io.mergelab.merge.MergeMethod;
import io.mergelab.merge.ModelTensor;
import io.mergelab.merge.ParamSpec;
import io.mergelab.merge.Precision;
import io.mergelab.merge.TensorMerge;
import io.mergelab.merge.TorchReductions;

import java.util.List;

/**
 * SCE (FuseChat, Wan et al., 2024) as mergekit's sce.py: Select the {@code select_topk} fraction of elements with
 * the largest variance across the task vectors (of those with nonzero variance), Calculate each task vector's
 * weight as its mean square over the tensor (normalised to sum 1), Erase the entries whose sign disagrees with the
 * weighted-sum majority; result base + sum(w_k tv_k) / max(sum(w_k), 1e-6) over the agreeing entries.
 */
public final class SceMethod implements MergeMethod {
    @Override
    public String name() {
        return "sce";
    }

    @Override
    public String description() {
        return "SCE (Wan et al., 2024): keep the highest-variance elements, weight task vectors by their mean square,"
                + " erase minority signs.";
    }

    @Override
    public List<ParamSpec> parameters() {
        // int8_mask only picks the dtype of mergekit's masks; the result is the same either way
        return List.of(ParamSpec.flag("int8_mask", false), ParamSpec.global("select_topk", 1.0));
    }

    @Override
    public BasePolicy basePolicy() {
        return BasePolicy.REQUIRED;
    }

    @Override
    public boolean computesInDtype() {
        return true;
    }

    @Override
    public float[] merge(TensorMerge t) {
        float[] base = t.base().data();
        int n = base.length;
        List<ModelTensor> others = t.others();
        if (others.isEmpty()) {
            return base.clone();
        }
        if (t.precision().reduced()) {
            return mergeInDtype(t, t.precision());
        }
        int m = others.size();
        float[][] tv = new float[m][];
        for (int k = 0; k < m; k++) {
            float[] x = others.get(k).data();
            float[] d = t.scratch() ? x : new float[n];
            for (int i = 0; i < n; i++) {
                d[i] = x[i] - base[i];
            }
            tv[k] = d;
        }
        double topk = t.param("select_topk");
        if (topk < 1) {
            boolean[] keep = select(tv, topk);
            for (float[] d : tv) {
                for (int i = 0; i < n; i++) {
                    if (!keep[i]) {
                        d[i] = 0f;
                    }
                }
            }
        }
        float[] w = weights(tv);
        float[] out = t.scratch() ? base : new float[n]; // out[i] is written after base[i] is last read
        for (int i = 0; i < n; i++) {
            float s = 0f;
            for (float[] d : tv) {
                s += d[i];
            }
            // torch's sum over models is sequential, as here; zeros never agree with the majority sign
            float mixed = 0f;
            float div = 0f;
            for (int k = 0; k < m; k++) {
                float v = tv[k][i];
                if (s >= 0f ? v > 0f : v < 0f) {
                    mixed += v * w[k];
                    div += w[k];
                }
            }
            out[i] = base[i] + mixed / Math.max(div, 1e-6f);
        }
        return out;
    }

    /**
     * sce_merge in bfloat16 / float16, op by op: task vectors rounded; the variance computed in double, rounded to
     * float32 and then to the dtype (torch upcasts), its top k chosen as torch.topk chooses among equal values
     * ({@link TorchSort#topK}); each weight is a float32 sum of rounded squares (torch's order: it becomes a factor of
     * every element) over n, rounded, divided by their rounded sum; the sums over models in float32, rounded once;
     * the clamp's 1e-6 cast to the dtype.
     */
    private static float[] mergeInDtype(TensorMerge t, Precision p) {
        float[] base = t.base().data();
        int n = base.length;
        List<ModelTensor> others = t.others();
        int m = others.size();
        float[][] tv = new float[m][];
        for (int k = 0; k < m; k++) {
            float[] x = others.get(k).data();
            float[] d = t.scratch() ? x : new float[n];
            for (int i = 0; i < n; i++) {
                d[i] = p.round(x[i] - base[i]);
            }
            tv[k] = d;
        }
        double topk = t.param("select_topk");
        if (topk < 1) {
            boolean[] keep = select(tv, topk, p);
            for (float[] d : tv) {
                for (int i = 0; i < n; i++) {
                    if (!keep[i]) {
                        d[i] = 0f;
                    }
                }
            }
        }
        float[] w = new float[m];
        float[] sq = new float[n];
        for (int k = 0; k < m; k++) {
            float[] d = tv[k];
            for (int i = 0; i < n; i++) {
                sq[i] = p.round(d[i] * d[i]);
            }
            w[k] = p.round(TorchReductions.sum(sq, 0, n) / n); // mean: float32 sum / n, rounded once
        }
        float sum = p.round(TorchReductions.sum(w, 0, m)); // .item() of a tensor of the dtype
        for (int k = 0; k < m; k++) {
            w[k] = Math.abs(sum) < 1e-6 ? p.round(1f / m) : p.round(w[k] / sum);
        }
        float floor = p.round(1e-6f);
        float[] out = t.scratch() ? base : new float[n]; // out[i] is written after base[i] is last read
        for (int i = 0; i < n; i++) {
            float s = 0f;
            for (float[] d : tv) {
                s += d[i];
            }
            boolean positive = p.round(s) >= 0f;
            float mixed = 0f;
            float div = 0f;
            for (int k = 0; k < m; k++) {
                float v = tv[k][i];
                if (positive ? v > 0f : v < 0f) { // sign(v) == majority: zeros never agree
                    mixed += p.round(v * w[k]);
                    div += w[k];
                }
            }
            float tvOut = p.round(p.round(mixed) / Math.max(p.round(div), floor));
            out[i] = p.round(base[i] + tvOut);
        }
        return out;
    }

    /**
     * The top-k mask over the population variance across models, k = int(nonzero · select_topk) with mergekit's
     * float32 product. torch.topk's order among equal variances at the boundary is unspecified; here the lower index
     * wins (the golden fixtures have no such tie).
     */
    private static boolean[] select(float[][] tv, double density) {
        return select(tv, density, Precision.FLOAT32);
    }

    /** {@link #select(float[][], double)} with the variance rounded to {@code p}; torch's choice when {@code p} is reduced. */
    private static boolean[] select(float[][] tv, double density, Precision p) {
        int n = tv[0].length;
        if (density <= 0) {
            return new boolean[n];
        }
        int m = tv.length;
        float[] var = new float[n];
        long nonzero = 0;
        for (int i = 0; i < n; i++) {
            // torch's CPU var accumulates in double (Welford) and rounds once: the same float as this two-pass form
            double mean = 0;
            for (float[] d : tv) {
                mean += d[i];
            }
            mean /= m;
            double ss = 0;
            for (float[] d : tv) {
                double e = d[i] - mean;
                ss += e * e;
            }
            var[i] = p.round((float) (ss / m));
            if (var[i] != 0f) {
                nonzero++;
            }
        }
        int k = (int) ((float) nonzero * (float) density);
        if (k == 0) {
            return new boolean[n];
        }
        return p.reduced() ? TorchSort.topK(var, k) : OrderStatistics.topK(var, k);
    }

    /** Each task vector's mean square, divided by their float32 sum (uniform when that sum is below 1e-6). */
    private static float[] weights(float[][] tv) {
        int m = tv.length;
        float[] w = new float[m];
        float sum = 0f;
        for (int k = 0; k < m; k++) {
            double sq = 0;
            for (float v : tv[k]) {
                sq += (double) v * v;
            }
            w[k] = (float) (sq / tv[k].length);
            sum += w[k];
        }
        for (int k = 0; k < m; k++) {
            w[k] = Math.abs(sum) < 1e-6 ? 1f / m : w[k] / sum;
        }
        return w;
    }
}
