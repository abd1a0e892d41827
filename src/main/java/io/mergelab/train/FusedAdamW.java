package io.mergelab.train;

import java.nio.FloatBuffer;

/**
 * One AdamW update of one tensor in a single pass over its memory: decay, both moments and the parameter
 * step, element by element, in the order and with the float rounding of the tensor ops in
 * {@link AdamW} (each operation rounded once, no fused multiply-add), so the result is bit-identical to them
 * and to torch's single-tensor AdamW on the same inputs. Works through L1-sized chunks copied into
 * arrays, which the JIT vectorises; one instance per thread (it owns the chunk arrays).
 */
final class FusedAdamW {
    private static final int CHUNK = 2048;
    private final float[] pa = new float[CHUNK];
    private final float[] ga = new float[CHUNK];
    private final float[] ma = new float[CHUNK];
    private final float[] va = new float[CHUNK];

    /**
     * The scalars arrive as the tensor ops receive them: each computed in double, then rounded to float once
     * ({@code oneMinusBeta1} is {@code (float) (1 - beta1)}, not {@code 1 - (float) beta1}).
     */
    void step(FloatBuffer p, FloatBuffer g, FloatBuffer m, FloatBuffer v, boolean decay, float decayFactor,
            float stepSize, float bc2Sqrt, float oneMinusBeta1, float beta2, float oneMinusBeta2, float eps) {
        int n = p.remaining();
        if (g.remaining() != n || m.remaining() != n || v.remaining() != n) {
            throw new IllegalArgumentException("AdamW: parameter, gradient and moments differ in size: " + n + ", "
                    + g.remaining() + ", " + m.remaining() + ", " + v.remaining());
        }
        for (int from = 0; from < n; from += CHUNK) {
            int len = Math.min(CHUNK, n - from);
            p.get(from, pa, 0, len);
            g.get(from, ga, 0, len);
            m.get(from, ma, 0, len);
            v.get(from, va, 0, len);
            if (decay) {
                for (int i = 0; i < len; i++) {
                    pa[i] = pa[i] * decayFactor;
                }
            }
            for (int i = 0; i < len; i++) {
                float gi = ga[i];
                float vi = va[i] * beta2 + (gi * gi) * oneMinusBeta2;
                float mi = ma[i] + (gi - ma[i]) * oneMinusBeta1;
                float denom = (float) Math.sqrt(vi) / bc2Sqrt + eps;
                pa[i] = pa[i] - (mi / denom) * stepSize;
                va[i] = vi;
                ma[i] = mi;
            }
            p.put(from, pa, 0, len);
            m.put(from, ma, 0, len);
            v.put(from, va, 0, len);
        }
    }
}
