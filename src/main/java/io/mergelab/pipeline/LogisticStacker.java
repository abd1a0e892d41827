package io.mergelab.pipeline;

/**
 * The stacking-ensemble baseline: multinomial logistic regression (L2, full-batch gradient descent from zero, so
 * deterministic) over the concatenated, standardised logits of the variants, trained on validation logits.
 */
final class LogisticStacker {
    private final double[][] weights; // [classes][features + 1], last column the bias
    private final double[] mean;
    private final double[] scale;

    private LogisticStacker(double[][] weights, double[] mean, double[] scale) {
        this.weights = weights;
        this.mean = mean;
        this.scale = scale;
    }

    static LogisticStacker fit(float[][] features, int[] gold, int classes, double l2, int iterations,
                               double learningRate) {
        int n = features.length;
        int d = features[0].length;
        double[] mean = new double[d];
        double[] scale = new double[d];
        for (float[] row : features) {
            for (int j = 0; j < d; j++) {
                mean[j] += row[j] / n;
            }
        }
        for (float[] row : features) {
            for (int j = 0; j < d; j++) {
                scale[j] += (row[j] - mean[j]) * (row[j] - mean[j]) / n;
            }
        }
        for (int j = 0; j < d; j++) {
            scale[j] = scale[j] > 1e-12 ? Math.sqrt(scale[j]) : 1;
        }
        double[][] w = new double[classes][d + 1];
        LogisticStacker model = new LogisticStacker(w, mean, scale);
        double[][] x = new double[n][];
        for (int i = 0; i < n; i++) {
            x[i] = model.standardise(features[i]);
        }
        for (int it = 0; it < iterations; it++) {
            double[][] grad = new double[classes][d + 1];
            for (int i = 0; i < n; i++) {
                double[] p = softmax(model.scores(x[i]));
                for (int c = 0; c < classes; c++) {
                    double g = p[c] - (gold[i] == c ? 1 : 0);
                    for (int j = 0; j < d; j++) {
                        grad[c][j] += g * x[i][j] / n;
                    }
                    grad[c][d] += g / n;
                }
            }
            for (int c = 0; c < classes; c++) {
                for (int j = 0; j <= d; j++) {
                    double reg = j < d ? l2 * w[c][j] : 0;
                    w[c][j] -= learningRate * (grad[c][j] + reg);
                }
            }
        }
        return model;
    }

    /** Class scores (log-odds up to a constant), usable as logits. */
    float[][] predict(float[][] features) {
        float[][] out = new float[features.length][];
        for (int i = 0; i < features.length; i++) {
            double[] s = scores(standardise(features[i]));
            out[i] = new float[s.length];
            for (int c = 0; c < s.length; c++) {
                out[i][c] = (float) s[c];
            }
        }
        return out;
    }

    private double[] standardise(float[] row) {
        double[] x = new double[row.length];
        for (int j = 0; j < row.length; j++) {
            x[j] = (row[j] - mean[j]) / scale[j];
        }
        return x;
    }

    private double[] scores(double[] x) {
        double[] s = new double[weights.length];
        for (int c = 0; c < weights.length; c++) {
            double v = weights[c][x.length];
            for (int j = 0; j < x.length; j++) {
                v += weights[c][j] * x[j];
            }
            s[c] = v;
        }
        return s;
    }

    private static double[] softmax(double[] s) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : s) {
            max = Math.max(max, v);
        }
        double sum = 0;
        double[] p = new double[s.length];
        for (int i = 0; i < s.length; i++) {
            p[i] = Math.exp(s[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < s.length; i++) {
            p[i] /= sum;
        }
        return p;
    }

    /** Row-wise concatenation of several models' logits for the same examples. */
    static float[][] concat(java.util.List<float[][]> perModel) {
        int n = perModel.get(0).length;
        float[][] out = new float[n][];
        for (int i = 0; i < n; i++) {
            int width = 0;
            for (float[][] m : perModel) {
                width += m[i].length;
            }
            out[i] = new float[width];
            int at = 0;
            for (float[][] m : perModel) {
                System.arraycopy(m[i], 0, out[i], at, m[i].length);
                at += m[i].length;
            }
        }
        return out;
    }
}
