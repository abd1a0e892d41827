package io.mergelab.merge.methods;

import io.mergelab.merge.BasePolicy;
import io.mergelab.merge.MergeMethod;
import io.mergelab.merge.ModelCount;
import io.mergelab.merge.ParamSpec;
import io.mergelab.merge.Precision;
import io.mergelab.merge.TensorMerge;
import io.mergelab.merge.TorchReductions;

import java.util.List;

/** Spherical interpolation of the whole flattened tensor from the base (t=0) to the other model (t=1). */
public final class SlerpMethod implements MergeMethod {
    private static final float DOT_THRESHOLD = 0.9995f;
    private static final float EPS = 1e-8f;
    /** mergekit bounds its float32 scratch to chunks of this many elements, and reduces per chunk. */
    private static final int CHUNK = 1 << 20;

    @Override
    public String name() {
        return "slerp";
    }

    @Override
    public String description() {
        return "SLERP (Shoemake, 1985): spherical interpolation between the base and one other model.";
    }

    @Override
    public List<ParamSpec> parameters() {
        return List.of(CommonParams.T);
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
    public float[] merge(TensorMerge tm) {
        float[] v0 = tm.base().data();
        float[] v1 = tm.others().get(0).data();
        float[] out = new float[v0.length];
        float t = (float) tm.param("t"); // a float32 coefficient tensor
        int n = v0.length;
        if (n > 0) {
            float[] c = coefficients(v0, v1, t);
            for (int i = 0; i < n; i++) {
                out[i] = c[0] * v0[i] + c[1] * v1[i];
            }
        }
        // mergekit's slerp computes in float32 whatever the inputs and stores into a tensor of their dtype: one rounding
        tm.precision().round(out);
        return out;
    }

    /**
     * mergekit's two coefficients, computed as its float32 torch ops compute them: the norm of each chunk of 2^20
     * elements and the norm of those norms, the dot product of the normalised chunks (each element divided by its
     * norm, the products summed per chunk, the chunks summed), clamped; theta = acos(dot), and sin((1-t)θ) / sin θ,
     * sin(tθ) / sin θ, or 1-t, t where |dot| > 0.9995. The reductions follow torch's order ({@link TorchReductions});
     * acos and sin are correctly rounded here, where torch's SLEEF kernels are within one float32 ulp.
     */
    static float[] coefficients(float[] v0, float[] v1, float t) {
        int n = v0.length;
        int chunks = (n + CHUNK - 1) / CHUNK;
        float[] normsA = new float[chunks];
        float[] normsB = new float[chunks];
        for (int c = 0; c < chunks; c++) {
            int s = c * CHUNK;
            int e = Math.min(n, s + CHUNK);
            normsA[c] = TorchReductions.norm(Precision.FLOAT32, v0, s, e);
            normsB[c] = TorchReductions.norm(Precision.FLOAT32, v1, s, e);
        }
        float normA = TorchReductions.norm(Precision.FLOAT32, normsA, 0, chunks);
        float normB = TorchReductions.norm(Precision.FLOAT32, normsB, 0, chunks);
        normA = normA > EPS ? normA : 1f;
        normB = normB > EPS ? normB : 1f;
        float[] dots = new float[chunks];
        for (int c = 0; c < chunks; c++) {
            dots[c] = TorchReductions.dotOfNormalized(v0, normA, v1, normB, c * CHUNK, Math.min(n, (c + 1) * CHUNK));
        }
        float dot = Math.max(-1f, Math.min(1f, TorchReductions.sum(dots, 0, chunks)));
        if (Math.abs(dot) > DOT_THRESHOLD) {
            return new float[] {1f - t, t};
        }
        float theta = (float) Math.acos(dot);
        float sinTheta = (float) Math.sin(theta);
        return new float[] {(float) Math.sin((1f - t) * theta) / sinTheta, (float) Math.sin(t * theta) / sinTheta};
    }

    @Override
    public boolean computesInDtype() {
        return true;
    }
}
