package io.mergelab.model.gpt2;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/** The classification head {@code score}: a bias-free linear map, weight [num_labels, n_embd]. */
final class ScoreHead extends Gpt2Module {
    private final Parameter weight;

    ScoreHead() {
        weight = parameter("weight", Parameter.Type.WEIGHT);
    }

    NDArray apply(ParameterStore ps, NDArray pooled, boolean training) {
        NDArray w = ps.getValue(weight, pooled.getDevice(), training);
        return pooled.matMul(perCall(w.transpose(), pooled));
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(apply(ps, inputs.singletonOrThrow(), training));
    }
}
