package io.mergelab.merge;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Everything a method sees for one output tensor.
 *
 * @param tensor   output tensor name as transformers stores it (e.g. {@code transformer.h.0.attn.c_attn.weight})
 * @param inputs   every input in recipe order (the base included where it is an input)
 * @param base     the base model's tensor, or null when the recipe has none
 * @param others   the inputs that are not the base, in recipe order
 * @param global   global parameters resolved for this tensor
 * @param seed     per-tensor seed, derived from the run seed and the tensor name, so results do not depend on threads
 * @param scratch  the input arrays belong to this call and may be overwritten (the runner reads fresh copies
 *                 per tensor; this keeps peak memory at the inputs plus about one array)
 * @param kernels  the element-wise sums methods of the linear family use ({@link ElementwiseKernels})
 * @param precision what the method computes in: the inputs already hold values of this type, and a method that
 *                 {@linkplain MergeMethod#computesInDtype() computes in the dtype} rounds where mergekit's torch ops
 *                 round; always {@link Precision#FLOAT32} for a method that does not
 * @param halfInputs some input was stored in bfloat16 / float16: in float32 its magnitudes still tie by the thousand,
 *                   and which of the tied ones a top-k keeps is then decided in torch's sort order (costly: a full
 *                   sort); with float32 inputs a tie at the boundary holds a few elements and the lowest index wins
 */
public record TensorMerge(String tensor, long[] shape, List<ModelTensor> inputs, ModelTensor base,
        List<ModelTensor> others, Map<String, Double> global, long seed, boolean scratch, ElementwiseKernels kernels,
        Precision precision, boolean halfInputs) {

    public TensorMerge(String tensor, long[] shape, List<ModelTensor> inputs, ModelTensor base,
            List<ModelTensor> others, Map<String, Double> global, long seed, boolean scratch,
            ElementwiseKernels kernels, Precision precision) {
        this(tensor, shape, inputs, base, others, global, seed, scratch, kernels, precision, false);
    }

    public TensorMerge(String tensor, long[] shape, List<ModelTensor> inputs, ModelTensor base,
            List<ModelTensor> others, Map<String, Double> global, long seed, boolean scratch,
            ElementwiseKernels kernels) {
        this(tensor, shape, inputs, base, others, global, seed, scratch, kernels, Precision.FLOAT32);
    }

    public TensorMerge(String tensor, long[] shape, List<ModelTensor> inputs, ModelTensor base,
            List<ModelTensor> others, Map<String, Double> global, long seed, boolean scratch) {
        this(tensor, shape, inputs, base, others, global, seed, scratch, ElementwiseKernels.defaults());
    }

    /** Inputs are left untouched. */
    public TensorMerge(String tensor, long[] shape, List<ModelTensor> inputs, ModelTensor base,
            List<ModelTensor> others, Map<String, Double> global, long seed) {
        this(tensor, shape, inputs, base, others, global, seed, false);
    }

    public double param(String name) {
        Double v = global.get(name);
        if (v == null) {
            throw new IllegalStateException("global parameter '" + name + "' not resolved for " + tensor);
        }
        return v;
    }

    public boolean flag(String name) {
        return param(name) != 0.0;
    }

    public int numel() {
        return base != null ? base.data().length : inputs.get(0).data().length;
    }

    public SplittableRandom random() {
        return new SplittableRandom(seed);
    }

    /** The rows × columns view methods that work per row use (1-D tensors are one row). */
    public int rowLength() {
        return shape.length == 0 ? 1 : (int) shape[shape.length - 1];
    }

    @Override
    public String toString() {
        return "TensorMerge[" + tensor + " " + Arrays.toString(shape) + ", " + inputs.size() + " inputs]";
    }
}
