package io.mergelab.train;

import ai.djl.ndarray.NDArray;

import java.util.List;

/** {@code torch.nn.utils.clip_grad_norm_}: one global L2 norm over all gradients, scaled down when above max. */
public final class GradientClipping {
    private GradientClipping() {}

    /**
     * @param maxNorm clipping threshold; 0 or less only measures
     * @return the total norm before clipping
     */
    public static double clipGlobalNorm(List<TrainableParameter> params, double maxNorm) {
        double total = totalNorm(params, null);
        double coef = coefficient(total, maxNorm);
        if (coef < 1.0) {
            for (TrainableParameter p : params) {
                try (NDArray g = p.array().getGradient()) {
                    g.muli((float) coef);
                }
            }
        }
        return total;
    }

    /**
     * The global L2 norm: each tensor's norm in float, as torch computes them, then the norm of those; a
     * row-trained embedding ({@code rows}, may be null) counts as one more tensor.
     */
    static double totalNorm(List<TrainableParameter> params, EmbeddingRows rows) {
        double sumSq = 0;
        if (rows != null) {
            double v = (float) Math.sqrt(rows.sumOfSquares());
            sumSq += v * v;
        }
        for (TrainableParameter p : params) {
            try (NDArray g = p.array().getGradient(); NDArray n = g.norm()) {
                double v = n.getFloat();
                sumSq += v * v;
            }
        }
        return Math.sqrt(sumSq);
    }

    /** The factor gradients are scaled by: {@code max / (total + 1e-6)} when below 1, else 1 (also for max ≤ 0). */
    static double coefficient(double total, double maxNorm) {
        if (maxNorm <= 0) {
            return 1.0;
        }
        return Math.min(1.0, maxNorm / (total + 1e-6));
    }
}
