package io.mergelab.merge;

import java.util.List;

/** Single-pass loops over float[]: each element is read once per input and written once. */
public final class JavaKernels implements ElementwiseKernels {
    static final JavaKernels INSTANCE = new JavaKernels();

    private JavaKernels() {
    }

    @Override
    public String name() {
        return "java";
    }

    @Override
    public void weightedAverage(List<float[]> xs, float[] w, boolean normalize, float[] out) {
        int n = out.length;
        float wsum = 0f;
        for (int k = 0; k < xs.size(); k++) {
            float wk = w[k];
            wsum += wk;
            float[] x = xs.get(k);
            if (k == 0) {
                for (int i = 0; i < n; i++) {
                    out[i] = x[i] * wk;
                }
            } else {
                for (int i = 0; i < n; i++) {
                    out[i] += x[i] * wk;
                }
            }
        }
        if (normalize) {
            for (int i = 0; i < n; i++) {
                out[i] /= wsum;
            }
        }
    }

    @Override
    public void addTaskVectors(float[] base, List<float[]> deltas, float divisor, float lambda, float[] out) {
        int n = base.length;
        int m = deltas.size();
        float[][] d = deltas.toArray(new float[0][]);
        boolean divide = divisor != 1f;
        for (int i = 0; i < n; i++) {
            float mixed = 0f;
            for (int k = 0; k < m; k++) {
                mixed += d[k][i];
            }
            if (divide) {
                mixed /= divisor;
            }
            if (lambda != 1f) {
                mixed *= lambda;
            }
            out[i] = base[i] + mixed;
        }
    }
}
