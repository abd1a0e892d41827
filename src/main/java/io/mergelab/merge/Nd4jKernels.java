package io.mergelab.merge;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

/**
 * The same sums as ND4J ops: inputs are copied into ND4J's off-heap buffers, combined with in-place
 * BLAS-backed ops (axpy, scalar multiply / divide, add), and the result copied back into {@code out}.
 * Operation order per element matches {@link JavaKernels}, so results agree to float rounding.
 */
public final class Nd4jKernels implements ElementwiseKernels {
    @Override
    public String name() {
        return "nd4j";
    }

    @Override
    public void weightedAverage(List<float[]> xs, float[] w, boolean normalize, float[] out) {
        INDArray acc = Nd4j.create(xs.get(0)).muli(w[0]);
        float wsum = w[0];
        for (int k = 1; k < xs.size(); k++) {
            INDArray x = Nd4j.create(xs.get(k));
            Nd4j.getBlasWrapper().level1().axpy(x.length(), w[k], x, acc);
            wsum += w[k];
            x.close();
        }
        if (normalize) {
            acc.divi(wsum);
        }
        copyOut(acc, out);
    }

    @Override
    public void addTaskVectors(float[] base, List<float[]> deltas, float divisor, float lambda, float[] out) {
        INDArray mixed = Nd4j.create(deltas.get(0));
        for (int k = 1; k < deltas.size(); k++) {
            INDArray d = Nd4j.create(deltas.get(k));
            mixed.addi(d);
            d.close();
        }
        if (divisor != 1f) {
            mixed.divi(divisor);
        }
        if (lambda != 1f) {
            mixed.muli(lambda);
        }
        INDArray b = Nd4j.create(base);
        mixed.addi(b);
        b.close();
        copyOut(mixed, out);
    }

    private static void copyOut(INDArray a, float[] out) {
        if (a.dataType() != DataType.FLOAT) {
            throw new IllegalStateException("ND4J returned " + a.dataType() + ", expected FLOAT");
        }
        a.data().asNioFloat().get(out, 0, out.length);
        a.close();
    }
}
