package io.mergelab.merge.methods;

import io.mergelab.merge.BasePolicy;
import io.mergelab.merge.MergeMethod;
import io.mergelab.merge.ModelTensor;
import io.mergelab.merge.ParamSpec;
import io.mergelab.merge.Precision;
import io.mergelab.merge.TensorMerge;
import io.mergelab.merge.TorchReductions;

import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * mergekit's karcher: the equally weighted Karcher (Riemannian) mean of all inputs' directions on the unit
 * hypersphere (whole flattened tensors), found by up to {@code max_iter} fixed-point steps from the normalised
 * Euclidean mean, stopping once the tangent step's norm is under {@code tol}; scaled by the mean input norm. Inputs
 * with norm <= tol are left out of the direction but not of the scale, as mergekit does.
 */
public final class KarcherMethod implements MergeMethod {
    @Override
    public String name() {
        return "karcher";
    }

    @Override
    public String displayName() {
        return "Karcher mean";
    }

    @Override
    public String description() {
        return "Karcher mean (arXiv:2603.04972): the Riemannian mean of all models' weight directions on the "
                + "hypersphere, scaled by their mean norm.";
    }

    @Override
    public List<ParamSpec> parameters() {
        return List.of(ParamSpec.integer("max_iter", 10), ParamSpec.global("tol", 1e-5));
    }

    @Override
    public BasePolicy basePolicy() {
        return BasePolicy.INPUT;
    }

    @Override
    public float[] merge(TensorMerge tm) {
        List<ModelTensor> in = tm.inputs();
        if (in.size() == 1) {
            float[] only = in.get(0).data();
            return tm.scratch() ? only : only.clone();
        }
        int maxIter = (int) tm.param("max_iter");
        double tol = tm.param("tol");
        int m = in.size();
        int n = in.get(0).data().length;
        // mergekit's float32 steps in its order, norms as torch takes them (TorchReductions); the dot products (BLAS
        // sdot, whose order we do not know) in double
        float[][] x = new float[m][];
        float[] norms = new float[m];
        for (int k = 0; k < m; k++) {
            x[k] = in.get(k).data();
            norms[k] = TorchReductions.norm(x[k]);
        }
        double alpha = 1.0 / m;
        int[] valid = IntStream.range(0, m).filter(k -> norms[k] > tol).toArray();
        if (valid.length == 0) {
            return new float[n];
        }
        double alphaSum = 0;
        for (int k : valid) {
            alphaSum += alpha;
        }
        float[] a = new float[valid.length]; // normalised alphas, a float32 scalar where they multiply tensors
        for (int j = 0; j < valid.length; j++) {
            a[j] = (float) (alpha / alphaSum);
        }
        if (tm.precision().reduced()) {
            return mergeInDtype(tm.precision(), x, norms, valid, a, alpha, maxIter, tol);
        }
        // units are x / norm, recomputed (bit-identically) where needed rather than stored
        float[] mean = new float[n];
        for (int j = 0; j < valid.length; j++) {
            float[] xk = x[valid[j]];
            float nk = norms[valid[j]];
            for (int i = 0; i < n; i++) {
                mean[i] += a[j] * unit(xk, nk, i);
            }
        }
        float meanNorm = TorchReductions.norm(mean);
        if (meanNorm < tol) {
            float[] xk = x[valid[0]];
            float nk = norms[valid[0]];
            for (int i = 0; i < n; i++) {
                mean[i] = unit(xk, nk, i);
            }
        } else {
            for (int i = 0; i < n; i++) {
                mean[i] = mean[i] / meanNorm;
            }
        }
        float[] tangent = new float[n];
        for (int iter = 0; iter < maxIter; iter++) {
            Arrays.fill(tangent, 0f);
            for (int j = 0; j < valid.length; j++) {
                float[] xk = x[valid[j]];
                float nk = norms[valid[j]];
                double dd = 0;
                for (int i = 0; i < n; i++) {
                    dd += (double) mean[i] * unit(xk, nk, i);
                }
                float dot = (float) Math.max(-1, Math.min(1, dd));
                float theta = (float) Math.acos(dot);
                if (theta < tol) {
                    continue;
                }
                float coef = a[j] * (float) (theta / Math.sin(theta));
                for (int i = 0; i < n; i++) {
                    tangent[i] += coef * (unit(xk, nk, i) - dot * mean[i]);
                }
            }
            float tn = TorchReductions.norm(tangent);
            if (tn < tol) {
                break;
            }
            float c = (float) Math.cos(tn);
            float s = (float) Math.sin(tn);
            for (int i = 0; i < n; i++) {
                mean[i] = c * mean[i] + s * (tangent[i] / tn);
            }
            float unitNorm = TorchReductions.norm(mean);
            if (unitNorm > tol) {
                for (int i = 0; i < n; i++) {
                    mean[i] = mean[i] / unitNorm;
                }
            }
        }
        float scale = 0f; // over all inputs, the left-out ones included, with the unnormalised alpha
        for (int k = 0; k < m; k++) {
            scale += (float) alpha * norms[k];
        }
        for (int i = 0; i < n; i++) {
            tangent[i] = scale * mean[i];
        }
        return tangent;
    }

    /**
     * The bfloat16 / float16 form of the steps above. mergekit takes the norms in float32 ({@code .to(float32)}) but
     * keeps the unit vectors, the mean and the tangent in the inputs' type, so each element-wise op rounds to
     * {@code p}. A float32 0-dim tensor (a norm, cos or sin of the tangent norm, the scale) keeps its float32 value as
     * a divisor or right-hand factor, but is cast to {@code p} first as a left-hand factor (torch's reduced-type
     * scalar path is for the second operand only; checked in tools/golden/check_torch_dtype_rules.py). torch.dot's
     * float32 sum is taken in double: its products are exact and the sum is rounded to {@code p}. acos, sin and cos
     * are correctly rounded here, then rounded to {@code p}.
     */
    private static float[] mergeInDtype(Precision p, float[][] x, float[] norms, int[] valid, float[] a, double alpha,
            int maxIter, double tol) {
        int m = x.length;
        int n = x[0].length;
        float[] mean = new float[n];
        for (int j = 0; j < valid.length; j++) {
            float[] xk = x[valid[j]];
            float nk = norms[valid[j]];
            for (int i = 0; i < n; i++) {
                mean[i] = p.round(mean[i] + p.round(unit(p, xk, nk, i) * a[j]));
            }
        }
        float meanNorm = TorchReductions.norm(mean);
        for (int i = 0; i < n; i++) {
            mean[i] = meanNorm < tol ? unit(p, x[valid[0]], norms[valid[0]], i) : p.round(mean[i] / meanNorm);
        }
        float[] tangent = new float[n];
        for (int iter = 0; iter < maxIter; iter++) {
            Arrays.fill(tangent, 0f);
            for (int j = 0; j < valid.length; j++) {
                float[] xk = x[valid[j]];
                float nk = norms[valid[j]];
                double dd = 0;
                for (int i = 0; i < n; i++) {
                    dd += (double) mean[i] * unit(p, xk, nk, i);
                }
                float dot = Math.max(-1f, Math.min(1f, p.roundSum(dd)));
                float theta = p.round((float) Math.acos(dot));
                if (theta < tol) {
                    continue;
                }
                float coef = p.round(p.round(theta / p.round((float) Math.sin(theta))) * a[j]);
                for (int i = 0; i < n; i++) {
                    float diff = p.round(unit(p, xk, nk, i) - p.round(dot * mean[i]));
                    tangent[i] = p.round(tangent[i] + p.round(coef * diff));
                }
            }
            float tn = TorchReductions.norm(tangent);
            if (tn < tol) {
                break;
            }
            float c = p.round((float) Math.cos(tn));
            float s = p.round((float) Math.sin(tn));
            for (int i = 0; i < n; i++) {
                mean[i] = p.round(p.round(c * mean[i]) + p.round(s * p.round(tangent[i] / tn)));
            }
            float unitNorm = TorchReductions.norm(mean);
            if (unitNorm > tol) {
                for (int i = 0; i < n; i++) {
                    mean[i] = p.round(mean[i] / unitNorm);
                }
            }
        }
        float scale = 0f; // float32, as in the float32 path; cast to p as the left-hand factor
        for (int k = 0; k < m; k++) {
            scale += (float) alpha * norms[k];
        }
        float scaleP = p.round(scale);
        for (int i = 0; i < n; i++) {
            tangent[i] = p.round(scaleP * mean[i]);
        }
        return tangent;
    }

    /** mergekit's unit vector element: zero for a zero tensor (kept only when tol < 0). */
    private static float unit(float[] x, float norm, int i) {
        return norm == 0f ? 0f : x[i] / norm;
    }

    /** The unit vector element in {@code p}: the quotient by the float32 norm, rounded. */
    private static float unit(Precision p, float[] x, float norm, int i) {
        return norm == 0f ? 0f : p.round(x[i] / norm);
    }

    @Override
    public boolean computesInDtype() {
        return true;
    }
}
