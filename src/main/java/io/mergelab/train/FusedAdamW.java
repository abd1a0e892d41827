package io.mergelab.train;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * AdamW over a tensor in a single pass over its memory: the clipping factor, decay, both moments, the parameter
 * step and zero_grad, element by element, each operation rounded once as the tensor ops round it (no fused
 * multiply-add), so the result does not depend on how the pass is split. Works through L1-sized chunks copied
 * into arrays, in simple loops the JIT vectorises; a large tensor is split across the intra-op threads (the
 * same count libtorch uses), each with its own chunk arrays.
 */
final class FusedAdamW implements AutoCloseable {
    private static final int CHUNK = 2048;
    /** Below this many elements a second thread costs more than it saves. */
    private static final int PARALLEL_MIN = 1 << 18;

    /**
     * One step's scalars, as the tensor ops receive them: each computed in double, then rounded to float once
     * ({@code oneMinusBeta1} is {@code (float) (1 - beta1)}, not {@code 1 - (float) beta1}). {@code gradScale} is
     * the clipping factor (1: none); {@code zeroGrad} clears the gradient once read.
     */
    record Scalars(float decayFactor, float stepSize, float bc2Sqrt, float oneMinusBeta1, float beta2,
            float oneMinusBeta2, float eps, float gradScale, boolean zeroGrad) {}

    private final List<float[][]> scratch = new ArrayList<>();
    private final ExecutorService pool;
    private final int threads;

    /** @param threads how many threads a large tensor's pass uses (1: the caller's only) */
    FusedAdamW(int threads) {
        this.threads = Math.max(1, threads);
        for (int t = 0; t < this.threads; t++) {
            scratch.add(new float[4][CHUNK]);
        }
        this.pool = this.threads > 1 ? Executors.newFixedThreadPool(this.threads - 1, r -> {
            Thread th = new Thread(r, "adamw-pass");
            th.setDaemon(true);
            return th;
        }) : null;
    }

    void step(FloatBuffer p, FloatBuffer g, FloatBuffer m, FloatBuffer v, boolean decay, Scalars s) {
        int n = p.remaining();
        if (g.remaining() != n || m.remaining() != n || v.remaining() != n) {
            throw new IllegalArgumentException("AdamW: parameter, gradient and moments differ in size: " + n + ", "
                    + g.remaining() + ", " + m.remaining() + ", " + v.remaining());
        }
        if (pool == null || n < PARALLEL_MIN) {
            range(p, g, m, v, decay, s, 0, n, scratch.get(0));
            return;
        }
        int per = (n / threads + CHUNK - 1) / CHUNK * CHUNK;
        List<Future<?>> parts = new ArrayList<>();
        for (int t = 1; t < threads; t++) {
            int from = Math.min(n, t * per);
            int to = Math.min(n, from + per);
            float[][] own = scratch.get(t);
            parts.add(pool.submit(() -> range(p, g, m, v, decay, s, from, to, own)));
        }
        range(p, g, m, v, decay, s, 0, Math.min(n, per), scratch.get(0));
        for (Future<?> f : parts) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("AdamW update interrupted", e);
            } catch (ExecutionException e) {
                throw new IllegalStateException("AdamW update failed: " + e.getCause(), e.getCause());
            }
        }
    }

    private static void range(FloatBuffer p, FloatBuffer g, FloatBuffer m, FloatBuffer v, boolean decay, Scalars s,
            int start, int end, float[][] arrays) {
        float[] pa = arrays[0];
        float[] ga = arrays[1];
        float[] ma = arrays[2];
        float[] va = arrays[3];
        float scale = s.gradScale();
        float decayFactor = s.decayFactor();
        float beta2 = s.beta2();
        float oneMinusBeta2 = s.oneMinusBeta2();
        float oneMinusBeta1 = s.oneMinusBeta1();
        float bc2Sqrt = s.bc2Sqrt();
        float eps = s.eps();
        float stepSize = s.stepSize();
        for (int from = start; from < end; from += CHUNK) {
            int len = Math.min(CHUNK, end - from);
            p.get(from, pa, 0, len);
            g.get(from, ga, 0, len);
            m.get(from, ma, 0, len);
            v.get(from, va, 0, len);
            if (scale != 1f) {
                for (int i = 0; i < len; i++) {
                    ga[i] = ga[i] * scale;
                }
            }
            if (decay) {
                for (int i = 0; i < len; i++) {
                    pa[i] = pa[i] * decayFactor;
                }
            }
            // separate simple loops: each one vectorises
            for (int i = 0; i < len; i++) {
                float gi = ga[i];
                va[i] = va[i] * beta2 + (gi * gi) * oneMinusBeta2;
            }
            for (int i = 0; i < len; i++) {
                ma[i] = ma[i] + (ga[i] - ma[i]) * oneMinusBeta1;
            }
            for (int i = 0; i < len; i++) {
                ga[i] = (float) Math.sqrt(va[i]); // the gradient's chunk is not needed any more
            }
            for (int i = 0; i < len; i++) {
                pa[i] = pa[i] - (ma[i] / (ga[i] / bc2Sqrt + eps)) * stepSize;
            }
            p.put(from, pa, 0, len);
            m.put(from, ma, 0, len);
            v.put(from, va, 0, len);
            if (s.zeroGrad()) {
                java.util.Arrays.fill(ga, 0, len, 0f);
                g.put(from, ga, 0, len);
            }
        }
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }
}
