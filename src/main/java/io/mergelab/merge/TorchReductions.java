package io.mergelab.merge;

/**
 * torch's CPU reductions in the order torch 2.15 adds, for methods whose result depends on their last bit (a norm or
 * a dot product that becomes a coefficient of every element). Written against an AVX2 build with one intra-op thread
 * (eight float32 lanes; the golden fixtures record both): an AVX-512 CPU has sixteen lanes, and with several threads
 * torch sums each thread's share first, so mergekit's own last bit varies between machines. Checked against torch in
 * tools/golden/check_torch_dtype_rules.py; a method that only needs a sum rounded to bfloat16 can
 * accumulate in double instead (torch's cascade is accurate to a few float32 ulps).
 */
public final class TorchReductions {
    private static final int LANES = 8;

    private TorchReductions() {
    }

    /**
     * {@code torch.linalg.vector_norm(x, dim=-1)} (p = 2; {@code torch.norm}) of {@code x[from, to)} held in
     * {@code p}: float32 squares (rounded, no fused multiply-add) go into eight float32 lanes, element {@code i} of
     * each step of eight into lane {@code i}; bfloat16 steps are 16 elements, the first eight into lanes 0-7 and then
     * the next eight; the lanes are summed in order, the tail added one by one, the float32 square root rounded once
     * to {@code p}. float16 squares accumulate one after the other (torch's generic reduction).
     */
    public static float norm(Precision p, float[] x, int from, int to) {
        float acc = 0f;
        int d = from;
        if (p != Precision.FLOAT16) {
            float[] lanes = new float[LANES];
            int step = p == Precision.BFLOAT16 ? 2 * LANES : LANES;
            for (; d + step <= to; d += step) {
                // lane-wise adds: independent across lanes, so the JIT can keep them in one vector register
                for (int j = 0; j < LANES; j++) {
                    lanes[j] += x[d + j] * x[d + j];
                }
                if (step > LANES) {
                    for (int j = 0; j < LANES; j++) {
                        lanes[j] += x[d + LANES + j] * x[d + LANES + j];
                    }
                }
            }
            acc = lanes[0];
            for (int j = 1; j < LANES; j++) {
                acc += lanes[j];
            }
        }
        for (; d < to; d++) {
            acc += x[d] * x[d];
        }
        return p.round((float) Math.sqrt(acc));
    }

    /** The float32 norm of a whole contiguous array ({@link #norm} in float32). */
    public static float norm(float[] x) {
        return norm(Precision.FLOAT32, x, 0, x.length);
    }

    /**
     * The float32 norm of {@code length} elements {@code step} apart from {@code start} (a dimension other than the
     * last, after a transpose): torch's generic reduction accumulates such a vector in one float, in order; with
     * step 1 it is the contiguous kernel ({@link #norm}).
     */
    public static float norm(float[] x, int start, int length, int step) {
        if (step == 1) {
            return norm(Precision.FLOAT32, x, start, start + length);
        }
        float s = 0f;
        for (int i = 0, j = start; i < length; i++, j += step) {
            s += x[j] * x[j];
        }
        return (float) Math.sqrt(s);
    }

    /**
     * {@code x[from, to).sum()} of a float32 tensor, as torch's cascade sum (SumKernel.cpp): eight-float vectors are
     * summed four at a time into per-level accumulators that carry over every 2^k vectors (k = max(4, ceil(log2(n / 32))
     * / 4)), the leftover vectors go into the first, the four are added, then the scalar tail, then the eight lanes.
     * Fewer than eight elements take the scalar form: four interleaved running sums, the tail into the first.
     */
    public static float sum(float[] x, int from, int to) {
        return cascade(x, null, 1f, 1f, from, to);
    }

    /**
     * {@code ((x / xNorm) * (y / yNorm)).sum()} over {@code [from, to)}: the element-wise quotients and product in
     * float32, then {@link #sum}'s order, without a buffer for the products (slerp's dot product).
     */
    public static float dotOfNormalized(float[] x, float xNorm, float[] y, float yNorm, int from, int to) {
        return cascade(x, y, xNorm, yNorm, from, to);
    }

    /** Element i: x[i], or (x[i] / xn) * (y[i] / yn) when y is given (one branch, hoisted out of the loops). */
    private static float at(float[] x, float[] y, float xn, float yn, int i) {
        return y == null ? x[i] : (x[i] / xn) * (y[i] / yn);
    }

    private static float cascade(float[] x, float[] y, float xn, float yn, int from, int to) {
        int n = to - from;
        if (n < LANES) {
            float[] part = new float[4];
            int rows = n / 4;
            for (int i = 0; i < rows; i++) {
                for (int k = 0; k < 4; k++) {
                    part[k] += at(x, y, xn, yn, from + i * 4 + k);
                }
            }
            for (int j = rows * 4; j < n; j++) {
                part[0] += at(x, y, xn, yn, from + j);
            }
            return ((part[0] + part[1]) + part[2]) + part[3];
        }
        int vectors = n / LANES;
        int rows = vectors / 4;
        int levelPower = Math.max(4, ceilLog2(rows) / 4);
        int levelStep = 1 << levelPower;
        long levelMask = levelStep - 1;
        final int width = 4 * LANES; // one row: four vectors of eight lanes, accumulated side by side
        float[][] acc = new float[4][width];
        float[] acc0 = acc[0];
        int i = 0;
        while (i + levelStep <= rows) {
            for (int j = 0; j < levelStep; j++, i++) {
                int base = from + i * width;
                for (int m = 0; m < width; m++) {
                    acc0[m] += at(x, y, xn, yn, base + m);
                }
            }
            for (int level = 1; level < 4; level++) {
                float[] up = acc[level];
                float[] down = acc[level - 1];
                for (int m = 0; m < width; m++) {
                    up[m] += down[m];
                    down[m] = 0f;
                }
                if ((i & (levelMask << (level * levelPower))) != 0) {
                    break;
                }
            }
        }
        for (; i < rows; i++) {
            int base = from + i * width;
            for (int m = 0; m < width; m++) {
                acc0[m] += at(x, y, xn, yn, base + m);
            }
        }
        for (int level = 1; level < 4; level++) {
            for (int m = 0; m < width; m++) {
                acc0[m] += acc[level][m];
            }
        }
        // acc0[k * 8 + l] is vector k's lane l; the leftover vectors go into vector 0, then vectors 1-3 are added to it
        for (int v = rows * 4; v < vectors; v++) {
            for (int l = 0; l < LANES; l++) {
                acc0[l] += at(x, y, xn, yn, from + v * LANES + l);
            }
        }
        for (int k = 1; k < 4; k++) {
            for (int l = 0; l < LANES; l++) {
                acc0[l] += acc0[k * LANES + l];
            }
        }
        float total = 0f;
        for (int j = vectors * LANES; j < n; j++) {
            total += at(x, y, xn, yn, from + j);
        }
        for (int l = 0; l < LANES; l++) {
            total += acc0[l];
        }
        return total;
    }

    /**
     * {@code torch.softmax(x, dim=-1)} of a bfloat16 / float16 row {@code x[from, to)} into {@code out[0, to - from)}, as
     * torch's _vec_softmax_lastdim for reduced types: in float32, the row's max, then exp(x - max) by SLEEF's expf_u10
     * (AVX2, fused multiply-adds) eight at a time into eight lanes, the lanes summed as vec_reduce_all pairs them, the
     * tail by the C library's expf added one by one; each exp times 1 / sum, rounded to {@code p}. Checked against
     * torch on 2.3M bfloat16 and 1.3M float16 elements: no difference (with a correctly rounded exp: 6 and 20).
     */
    public static void softmax(Precision p, float[] x, int from, int to, float[] out) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = from; i < to; i++) {
            max = Math.max(max, x[i]);
        }
        float[] lanes = new float[LANES];
        int n = to - from;
        int d = 0;
        for (; d + LANES <= n; d += LANES) {
            for (int j = 0; j < LANES; j++) {
                out[d + j] = sleefExpf(x[from + d + j] - max);
                lanes[j] += out[d + j];
            }
        }
        float sum = ((lanes[0] + lanes[4]) + (lanes[2] + lanes[6])) + ((lanes[1] + lanes[5]) + (lanes[3] + lanes[7]));
        for (; d < n; d++) {
            out[d] = (float) Math.exp(x[from + d] - max);
            sum += out[d];
        }
        float inv = 1f / sum;
        for (int i = 0; i < n; i++) {
            out[i] = p.round(out[i] * inv);
        }
    }

    /** SLEEF 3's xexpf (u10) with fused multiply-adds, as torch's Vectorized<float>::exp calls it on AVX2. */
    static float sleefExpf(float d) {
        int q = (int) Math.rint(d * 1.442695040888963407359924681001892137426645954152985934135449406931f);
        float s = Math.fma(q, -0.693145751953125f, d);
        s = Math.fma(q, -1.428606765330187045e-06f, s);
        float u = 0.000198527617612853646278381f;
        u = Math.fma(u, s, 0.00139304355252534151077271f);
        u = Math.fma(u, s, 0.00833336077630519866943359f);
        u = Math.fma(u, s, 0.0416664853692054748535156f);
        u = Math.fma(u, s, 0.166666671633720397949219f);
        u = Math.fma(u, s, 0.5f);
        u = 1f + Math.fma(s * s, u, s);
        u = u * pow2(q >> 1) * pow2(q - (q >> 1)); // vldexp2: two factors, so 2^q may underflow in between
        if (d < -104f) {
            return 0f;
        }
        return d > 100f ? Float.POSITIVE_INFINITY : u;
    }

    private static float pow2(int e) {
        return Float.intBitsToFloat((e + 127) << 23);
    }

    /** c10's CeilLog2: 1 up to 2, else the bit length of x - 1. */
    private static int ceilLog2(long x) {
        return x <= 2 ? 1 : 64 - Long.numberOfLeadingZeros(x - 1);
    }
}
