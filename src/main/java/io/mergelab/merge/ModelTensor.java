package io.mergelab.merge;

import java.util.Map;

/** One model's copy of the tensor being merged (F32), with its per-model parameters resolved for this tensor. */
public record ModelTensor(String model, float[] data, Map<String, Double> params) {
    public double param(String name) {
        Double v = params.get(name);
        if (v == null) {
            throw new IllegalStateException("parameter '" + name + "' not resolved for model " + model);
        }
        return v;
    }
}
