package io.mergelab.merge.methods;

import io.mergelab.merge.BasePolicy;
import io.mergelab.merge.MergeMethod;
import io.mergelab.merge.ModelCount;
import io.mergelab.merge.ModelTensor;
import io.mergelab.merge.ParamSpec;
import io.mergelab.merge.Precision;
import io.mergelab.merge.TensorMerge;
import io.mergelab.merge.TorchReductions;

import java.util.List;

/**
 * mergekit's nuslerp: spherical interpolation of two models at t = w2 / (w1 + w2) (0.5 when the weights sum to
 * under 1e-6), of their task vectors when a base is given. The sphere is the whole flattened tensor
 * ({@code nuslerp_flatten}, the default), else each vector along the last dimension, or along the first with
 * {@code nuslerp_row_wise}. Vectors whose float32 cosine is exactly ±1 are interpolated linearly.
 */
public final class NuslerpMethod implements MergeMethod {
    /** mergekit's norm clamp in its normalisation, and its colinearity threshold eps^2 with eps = 1e-8. */
    private static final float NORM_MIN = 1e-7f;
    private static final float COLINEAR = (float) 1e-16;

    @Override
    public String name() {
        return "nuslerp";
    }

    @Override
    public String displayName() {
        return "NuSLERP";
    }

    @Override
    public String description() {
        return "NuSLERP (Goddard et al., 2024, mergekit): spherical interpolation between two models by their weights,"
                + " of task vectors when a base is given; whole tensor, or per row or column.";
    }

    @Override
    public List<ParamSpec> parameters() {
        return List.of(CommonParams.WEIGHT, ParamSpec.flag("nuslerp_row_wise", false),
                ParamSpec.flag("nuslerp_flatten", true));
    }

    @Override
    public BasePolicy basePolicy() {
        return BasePolicy.OPTIONAL;
    }

    @Override
    public ModelCount otherModels() {
        return ModelCount.exactly(2);
    }

    @Override
    public float[] merge(TensorMerge tm) {
        List<ModelTensor> xs = tm.others();
        double w0 = xs.get(0).param("weight");
        double w1 = xs.get(1).param("weight");
        double total = w0 + w1;
        double t = Math.abs(total) < 1e-6 ? 0.5 : w1 / total;
        Precision p = tm.precision();
        float[] base = tm.base() == null ? null : tm.base().data();
        float[] v0 = delta(xs.get(0).data(), base, tm.scratch(), p);
        float[] v1 = delta(xs.get(1).data(), base, tm.scratch(), p);
        int n = v0.length;
        if (n == 0) {
            return new float[0];
        }
        // v0 is ours whenever it was computed from a base; each vector's scalars are taken before it is written
        float[] out = tm.scratch() || base != null ? v0 : new float[n];

        // the vectors: (count, length, step between elements, step between vectors' first elements)
        int count;
        int length;
        int step;
        int next;
        if (tm.flag("nuslerp_flatten") || tm.shape().length == 0) {
            count = 1;
            length = n;
            step = 1;
            next = 0;
        } else if (tm.flag("nuslerp_row_wise") && tm.shape().length >= 2) {
            // mergekit transposes dim 0 to the end: vectors run along the first dimension
            length = (int) tm.shape()[0];
            count = n / length;
            step = count;
            next = 1;
        } else {
            length = tm.rowLength();
            count = n / length;
            step = 1;
            next = length;
        }
        float tf = (float) t;
        float sf = (float) (1 - t);
        if (p.reduced()) {
            slerpInDtype(p, v0, v1, out, count, length, step, next, sf, tf);
            if (base != null) {
                for (int i = 0; i < n; i++) {
                    out[i] = p.round(base[i] + out[i]);
                }
            }
            return out;
        }
        for (int v = 0; v < count; v++) {
            int start = v * next;
            int end = start + length * step;
            // mergekit's float32 steps: unit vectors by the clamped torch norms, their products summed (torch's
            // cascade sum is close to exact: we sum in double), then acos and sines of float32 scalars
            float n0 = Math.max(TorchReductions.norm(v0, start, length, step), NORM_MIN);
            float n1 = Math.max(TorchReductions.norm(v1, start, length, step), NORM_MIN);
            double dot = 0;
            for (int i = start; i < end; i += step) {
                dot += (v0[i] / n0) * (v1[i] / n1);
            }
            float cos = Math.max(-1f, Math.min(1f, (float) dot));
            if (1f - cos * cos <= COLINEAR) { // |cos| is exactly 1 in float32
                for (int i = start; i < end; i += step) {
                    out[i] = sf * v0[i] + tf * v1[i];
                }
            } else {
                float theta = (float) Math.acos(cos);
                float c0 = (float) Math.sin(sf * theta);
                float c1 = (float) Math.sin(tf * theta);
                float s = (float) Math.sin(theta);
                for (int i = start; i < end; i += step) {
                    out[i] = (c0 * v0[i] + c1 * v1[i]) / s;
                }
            }
        }
        if (base != null) {
            for (int i = 0; i < n; i++) {
                out[i] = base[i] + out[i];
            }
        }
        return out;
    }

    @Override
    public boolean computesInDtype() {
        return true;
    }

    /**
     * The bfloat16 / float16 form of the loop above, op by op after mergekit's nuslerp, each torch op rounded to
     * {@code p}: unit vectors by the norm clamped at 1e-7 (as {@code p}), their rounded products summed (in double:
     * the sum is rounded to {@code p}, far coarser than torch's float32 order), cos clamped; colinear where
     * 1 - cos^2 rounds to 0, which in these types is |cos| = 1 (a float32 sum within half a {@code p} ulp of it).
     * acos and sin are correctly rounded here, SLEEF's within a float32 ulp: both rounded to {@code p}, they differ
     * only for an argument within that ulp of a rounding midpoint. (1 - t) and t are float32 scalars.
     */
    private static void slerpInDtype(Precision p, float[] v0, float[] v1, float[] out, int count, int length, int step,
            int next, float sf, float tf) {
        float normMin = p.round(NORM_MIN); // clamp(min=eps) casts eps to the tensor's type
        for (int v = 0; v < count; v++) {
            int start = v * next;
            int end = start + length * step;
            float n0 = Math.max(norm(p, v0, start, length, step), normMin);
            float n1 = Math.max(norm(p, v1, start, length, step), normMin);
            double dot = 0;
            for (int i = start; i < end; i += step) {
                dot += p.round(p.round(v0[i] / n0) * p.round(v1[i] / n1));
            }
            float cos = Math.max(-1f, Math.min(1f, p.roundSum(dot)));
            if (p.round(1f - p.round(cos * cos)) <= p.round(COLINEAR)) {
                for (int i = start; i < end; i += step) {
                    out[i] = p.round(p.round(sf * v0[i]) + p.round(tf * v1[i]));
                }
            } else {
                float theta = p.round((float) Math.acos(cos));
                float s = p.round((float) Math.sin(theta));
                float c0 = p.round((float) Math.sin(p.round(sf * theta)));
                float c1 = p.round((float) Math.sin(p.round(tf * theta)));
                for (int i = start; i < end; i += step) {
                    out[i] = p.round(p.round(p.round(c0 * v0[i]) + p.round(c1 * v1[i])) / s);
                }
            }
        }
    }

    /**
     * torch.norm of one vector in {@code p}: contiguous, torch's last-dimension kernel; strided (after mergekit's
     * transpose), its generic reduction, one float32 sum in order, rounded to {@code p}.
     */
    private static float norm(Precision p, float[] x, int start, int length, int step) {
        return step == 1 ? TorchReductions.norm(p, x, start, start + length)
                : p.round(TorchReductions.norm(x, start, length, step));
    }

    /** x - base in float32 (into x when it may be overwritten), or x itself without a base. */
    static float[] delta(float[] x, float[] base, boolean scratch) {
        return delta(x, base, scratch, Precision.FLOAT32);
    }

    /** x - base rounded to {@code p} (into x when it may be overwritten), or x itself without a base. */
    static float[] delta(float[] x, float[] base, boolean scratch, Precision p) {
        if (base == null) {
            return x;
        }
        float[] d = scratch ? x : new float[x.length];
        if (p.reduced()) {
            for (int i = 0; i < x.length; i++) {
                d[i] = p.round(x[i] - base[i]);
            }
        } else {
            for (int i = 0; i < x.length; i++) {
                d[i] = x[i] - base[i];
            }
        }
        return d;
    }
}
