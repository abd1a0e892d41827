package io.mergelab.merge.methods;

import io.mergelab.merge.BasePolicy;
import io.mergelab.merge.MergeException;
import io.mergelab.merge.MergeMethod;
import io.mergelab.merge.ModelCount;
import io.mergelab.merge.ModelTensor;
import io.mergelab.merge.ParamSpec;
import io.mergelab.merge.Precision;
import io.mergelab.merge.TensorMerge;
import io.mergelab.merge.TorchReductions;

import java.util.List;

/**
 * mergekit's multislerp: barycentric interpolation on the hypersphere of the whole flattened tensors (task vectors
 * when a base is given). Each is scaled to unit norm (norm + eps), averaged with the weights, the mean normalised,
 * the weighted tangent vectors at it added through the exponential map, and the result scaled by the weighted mean
 * norm. One model alone is returned as it is; a zero mean falls back to the weighted sum for two models and is an
 * error for more, as in mergekit.
 */
public final class MultislerpMethod implements MergeMethod {
    @Override
    public String name() {
        return "multislerp";
    }

    @Override
    public String displayName() {
        return "Multi-SLERP";
    }

    @Override
    public String description() {
        return "Multi-SLERP (Goddard, goddard.blog/posts/multislerp-wow-what-a-cool-idea): barycentric spherical "
                + "interpolation of any number of weighted models, of task vectors when a base is given.";
    }

    @Override
    public List<ParamSpec> parameters() {
        return List.of(CommonParams.WEIGHT, ParamSpec.flag("normalize_weights", true),
                ParamSpec.global("eps", 1e-8));
    }

    @Override
    public BasePolicy basePolicy() {
        return BasePolicy.OPTIONAL;
    }

    @Override
    public ModelCount otherModels() {
        return ModelCount.atLeast(1);
    }

    @Override
    public float[] merge(TensorMerge tm) {
        List<ModelTensor> xs = tm.others();
        if (xs.isEmpty()) {
            throw MergeException.at(tm.tensor(), "multislerp needs at least one model besides the base");
        }
        if (xs.size() == 1) { // mergekit returns it unchanged, base or not
            float[] only = xs.get(0).data();
            return tm.scratch() ? only : only.clone();
        }
        int m = xs.size();
        Precision p = tm.precision();
        float[] base = tm.base() == null ? null : tm.base().data();
        float[][] d = new float[m][];
        for (int k = 0; k < m; k++) {
            d[k] = NuslerpMethod.delta(xs.get(k).data(), base, tm.scratch(), p);
        }
        int n = d[0].length;
        // weights are a tensor of the inputs' dtype in mergekit (float32 through float32), normalised in it
        float[] w = new float[m];
        for (int k = 0; k < m; k++) {
            w[k] = p.round((float) xs.get(k).param("weight"));
        }
        if (tm.flag("normalize_weights")) {
            float wsum = p.round(TorchReductions.sum(w, 0, m));
            if (wsum == 0f) {
                throw MergeException.at(tm.tensor(), "parameter 'weight' sums to 0 over " + xs.stream()
                        .map(ModelTensor::model).toList() + " with normalize_weights: true");
            }
            for (int k = 0; k < m; k++) {
                w[k] = p.round(w[k] / wsum);
            }
        }
        double eps = tm.param("eps");
        float epsF = (float) eps;
        if (p.reduced()) {
            return mergeInDtype(tm, p, d, w, base, epsF);
        }
        // mergekit's float32 steps in its order; norms as torch takes them (TorchReductions), sums of products in double
        // (torch's cascade sums are close to exact)
        float[] norms = new float[m];
        float[] denom = new float[m];
        for (int k = 0; k < m; k++) {
            norms[k] = TorchReductions.norm(d[k]);
            denom[k] = norms[k] + epsF;
        }
        float[] mean = new float[n];
        for (int i = 0; i < n; i++) {
            float s = 0f;
            for (int k = 0; k < m; k++) {
                s += d[k][i] / denom[k] * w[k];
            }
            mean[i] = s;
        }
        float meanNorm = TorchReductions.norm(mean);
        if (meanNorm < epsF) {
            if (m != 2) {
                throw MergeException.at(tm.tensor(), "multislerp: the weighted sum of the unit-norm inputs is zero "
                        + "(antipodal or all-zero " + (base != null ? "task vectors" : "tensors") + " whose weights "
                        + "cancel); use different weights");
            }
            float[] out = new float[n];
            for (int i = 0; i < n; i++) {
                float r = d[0][i] * w[0] + d[1][i] * w[1];
                out[i] = base != null ? r + base[i] : r;
            }
            return out;
        }
        for (int i = 0; i < n; i++) {
            mean[i] = mean[i] / meanNorm;
        }
        float[] dots = new float[m];
        for (int k = 0; k < m; k++) {
            double dot = 0;
            for (int i = 0; i < n; i++) {
                dot += d[k][i] / denom[k] * mean[i];
            }
            dots[k] = (float) dot;
        }
        // the weighted tangent vectors sum to zero up to rounding; computed as mergekit does all the same
        float[] tangent = new float[n];
        for (int i = 0; i < n; i++) {
            float s = 0f;
            for (int k = 0; k < m; k++) {
                s += (d[k][i] / denom[k] - dots[k] * mean[i]) * w[k];
            }
            tangent[i] = s;
        }
        float tn = TorchReductions.norm(tangent) + epsF;
        float cos = (float) Math.cos(tn);
        float sinc = (float) Math.sin(tn) / tn;
        float avgNorm = 0f;
        for (int k = 0; k < m; k++) {
            avgNorm += norms[k] * w[k];
        }
        float[] out = tm.scratch() || base != null ? d[0] : new float[n]; // d[0] is not read below
        for (int i = 0; i < n; i++) {
            float r = (mean[i] * cos + tangent[i] * sinc) * avgNorm;
            out[i] = base != null ? r + base[i] : r;
        }
        return out;
    }

    /**
     * The bfloat16 / float16 form of the steps above, each torch op rounded to {@code p}: products rounded before the
     * sums over models (float32, in order: {@code sum(0)}); sums over elements in double, rounded to {@code p} (torch's
     * float32 order matters below that rounding only at a midpoint); cos and sin of the tangent norm correctly rounded,
     * then rounded to {@code p}. {@code d} holds the (task) vectors, {@code w} the weights, both already in {@code p}.
     */
    private static float[] mergeInDtype(TensorMerge tm, Precision p, float[][] d, float[] w, float[] base, float eps) {
        int m = d.length;
        int n = d[0].length;
        float[] norms = new float[m];
        float[] denom = new float[m];
        for (int k = 0; k < m; k++) {
            norms[k] = TorchReductions.norm(p, d[k], 0, n);
            denom[k] = p.round(norms[k] + eps);
        }
        // unit vectors are p.round(d / denom), recomputed (bit-identically) where needed rather than stored
        float[] mean = new float[n];
        for (int i = 0; i < n; i++) {
            float s = 0f;
            for (int k = 0; k < m; k++) {
                s += p.round(p.round(d[k][i] / denom[k]) * w[k]);
            }
            mean[i] = p.round(s);
        }
        float meanNorm = TorchReductions.norm(p, mean, 0, n);
        if (meanNorm < p.round(eps)) { // the comparison casts eps to p: 0 in float16, so no fallback there
            if (m != 2) {
                throw MergeException.at(tm.tensor(), "multislerp: the weighted sum of the unit-norm inputs is zero "
                        + "(antipodal or all-zero " + (base != null ? "task vectors" : "tensors") + " whose weights "
                        + "cancel); use different weights");
            }
            float[] out = new float[n];
            for (int i = 0; i < n; i++) {
                float r = p.round(p.round(d[0][i] * w[0]) + p.round(d[1][i] * w[1]));
                out[i] = base != null ? p.round(r + base[i]) : r;
            }
            return out;
        }
        for (int i = 0; i < n; i++) {
            mean[i] = p.round(mean[i] / meanNorm);
        }
        float[] dots = new float[m];
        for (int k = 0; k < m; k++) {
            double dot = 0;
            for (int i = 0; i < n; i++) {
                dot += p.round(p.round(d[k][i] / denom[k]) * mean[i]);
            }
            dots[k] = p.roundSum(dot);
        }
        float[] tangent = new float[n];
        for (int i = 0; i < n; i++) {
            float s = 0f;
            for (int k = 0; k < m; k++) {
                float u = p.round(d[k][i] / denom[k]);
                s += p.round(p.round(u - p.round(dots[k] * mean[i])) * w[k]);
            }
            tangent[i] = p.round(s);
        }
        float tn = p.round(TorchReductions.norm(p, tangent, 0, n) + eps);
        float cos = p.round((float) Math.cos(tn));
        float sinc = p.round(p.round((float) Math.sin(tn)) / tn);
        float[] weighted = new float[m];
        for (int k = 0; k < m; k++) {
            weighted[k] = p.round(norms[k] * w[k]);
        }
        float avgNorm = p.round(TorchReductions.sum(weighted, 0, m));
        float[] out = tm.scratch() || base != null ? d[0] : new float[n]; // d[0] is not read below
        for (int i = 0; i < n; i++) {
            float r = p.round(p.round(p.round(mean[i] * cos) + p.round(tangent[i] * sinc)) * avgNorm);
            out[i] = base != null ? p.round(r + base[i]) : r;
        }
        return out;
    }

    @Override
    public boolean computesInDtype() {
        return true;
    }
}
