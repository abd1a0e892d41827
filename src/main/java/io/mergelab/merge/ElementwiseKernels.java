package io.mergelab.merge;

import java.util.List;
import java.util.Locale;

/**
 * The element-wise sums the linear family of methods runs on whole tensors (linear, task arithmetic and
 * its DARE / breadcrumbs variants after sparsification). Two implementations: {@link JavaKernels}
 * (fused single-pass loops over float[]) and {@link Nd4jKernels} (ND4J ops; on the {@code cuda} profile
 * they run on the GPU). {@code bin/mergelab bench kernels} measures both; BENCHMARKS.md has the numbers
 * that chose the default. Selection and sign election (TIES, top-k, quantiles) stay hand-written: they are
 * not element-wise and ND4J measured several times slower on them (../shared/notes/djl-nd4j.md).
 */
public interface ElementwiseKernels {
    String name();

    /** out = sum_k w[k] xs[k], divided by sum_k w[k] when normalize; out may be xs[0]. */
    void weightedAverage(List<float[]> xs, float[] w, boolean normalize, float[] out);

    /** out = base + lambda * (sum_k deltas[k]) / divisor; out may be base. */
    void addTaskVectors(float[] base, List<float[]> deltas, float divisor, float lambda, float[] out);

    /** The kernels a merge uses: {@code java} (default) or {@code nd4j}. */
    static ElementwiseKernels named(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "java" -> JavaKernels.INSTANCE;
            case "nd4j" -> new Nd4jKernels();
            default -> throw new IllegalArgumentException("unknown kernels '" + name + "': expected java or nd4j");
        };
    }

    static ElementwiseKernels defaults() {
        return JavaKernels.INSTANCE;
    }
}
