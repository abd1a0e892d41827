package io.mergelab.merge;

import io.mergelab.model.checkpoint.TensorInfo;

import java.util.List;
import java.util.Map;

/**
 * One output tensor: where each input comes from and every parameter already resolved, so a bad
 * recipe fails before any tensor is computed.
 *
 * @param name      output name as transformers stores it
 * @param baseIndex index of the base in {@code inputs}, or -1
 * @param copy      true for tensors outside a {@code select:} (copied from the single input)
 */
public record PlannedTensor(String name, long[] shape, List<Input> inputs, int baseIndex, Map<String, Double> global,
        long seed, boolean copy) {

    public PlannedTensor {
        inputs = List.copyOf(inputs);
        global = Map.copyOf(global);
    }

    public long numel() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    /** One model's contribution. */
    public record Input(ModelInput model, TensorInfo info, Map<String, Double> params) {
        public Input {
            params = Map.copyOf(params);
        }
    }
}
