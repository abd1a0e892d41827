package io.mergelab.model.gpt2;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Hugging Face's GPT-2 "Conv1D": a linear layer whose weight is stored [in, out]
 * (transposed relative to nn.Linear), so y = x·W + b with no transpose on load or save.
 */
final class HfConv1D extends Gpt2Module {
    private final Parameter weight;
    private final Parameter bias;

    HfConv1D() {
        weight = parameter("weight", Parameter.Type.WEIGHT);
        bias = parameter("bias", Parameter.Type.BIAS);
    }

    NDArray apply(ParameterStore ps, NDArray x, boolean training) {
        NDArray w = ps.getValue(weight, x.getDevice(), training);
        NDArray b = ps.getValue(bias, x.getDevice(), training);
        return x.matMul(w).add(b);
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(apply(ps, inputs.singletonOrThrow(), training));
    }
}
