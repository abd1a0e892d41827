package io.mergelab.model.gpt2;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/** LayerNorm over the last axis with HF parameter names (weight, bias) and GPT-2's epsilon. */
final class HfLayerNorm extends Gpt2Module {
    private final Parameter weight;
    private final Parameter bias;
    private final float epsilon;

    HfLayerNorm(double epsilon) {
        this.epsilon = (float) epsilon;
        weight = parameter("weight", Parameter.Type.GAMMA);
        bias = parameter("bias", Parameter.Type.BETA);
    }

    NDArray apply(ParameterStore ps, NDArray x, boolean training) {
        NDArray g = ps.getValue(weight, x.getDevice(), training);
        NDArray b = ps.getValue(bias, x.getDevice(), training);
        Shape normalized = new Shape(x.getShape().get(x.getShape().dimension() - 1));
        return LayerNorm.layerNorm(x, normalized, g, b, epsilon).singletonOrThrow();
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(apply(ps, inputs.singletonOrThrow(), training));
    }
}
