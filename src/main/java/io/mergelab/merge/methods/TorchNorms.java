package io.mergelab.merge.methods;

/**
 * torch's float32 2-norm on the CPU, reproduced for the methods mergekit writes with {@code torch.norm}: it sums the
 * squares in float32 without cascading, so on large tensors it is far from exact (-1.6e-4 relative on the
 * 6.4M-element wte of the golden models), and a double norm would not match mergekit. Checked bit for bit against
 * torch 2.15 with the AVX2 kernels (tools/golden: MergeGoldenTest); torch's AVX-512 and GPU kernels sum in another
 * order, so mergekit's own results differ between machines by about as much.
 */
final class TorchNorms {
    private TorchNorms() {
    }

    /** A contiguous run, as torch's last-dimension kernel takes it: 8 float lanes in order, summed, then the tail. */
    static float contiguous(float[] x, int start, int length) {
        float a0 = 0f;
        float a1 = 0f;
        float a2 = 0f;
        float a3 = 0f;
        float a4 = 0f;
        float a5 = 0f;
        float a6 = 0f;
        float a7 = 0f;
        int end = start + length;
        int blocks = start + length - length % 8;
        int d = start;
        for (; d < blocks; d += 8) {
            a0 += x[d] * x[d];
            a1 += x[d + 1] * x[d + 1];
            a2 += x[d + 2] * x[d + 2];
            a3 += x[d + 3] * x[d + 3];
            a4 += x[d + 4] * x[d + 4];
            a5 += x[d + 5] * x[d + 5];
            a6 += x[d + 6] * x[d + 6];
            a7 += x[d + 7] * x[d + 7];
        }
        float s = a0 + a1;
        s += a2;
        s += a3;
        s += a4;
        s += a5;
        s += a6;
        s += a7;
        for (; d < end; d++) {
            s += x[d] * x[d];
        }
        return (float) Math.sqrt(s); // correctly rounded, as float sqrt is
    }

    static float contiguous(float[] x) {
        return contiguous(x, 0, x.length);
    }

    /**
     * Elements {@code step} apart (a dimension other than the last, after a transpose): torch's generic reduction
     * accumulates each such vector in one float, in order; with step 1 it is the contiguous kernel.
     */
    static float strided(float[] x, int start, int length, int step) {
        if (step == 1) {
            return contiguous(x, start, length);
        }
        float s = 0f;
        for (int i = 0, j = start; i < length; i++, j += step) {
            s += x[j] * x[j];
        }
        return (float) Math.sqrt(s);
    }
}
