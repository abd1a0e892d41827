package io.mergelab.model.gpt2;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.norm.Dropout;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/** GPT-2's feed-forward block: c_fc → activation → c_proj → dropout. */
final class Gpt2Mlp extends Gpt2Module {
    private final HfConv1D cFc;
    private final HfConv1D cProj;
    private final Gpt2Activation activation;
    private final float residPdrop;

    Gpt2Mlp(Gpt2Architecture arch) {
        cFc = module("c_fc", new HfConv1D());
        cProj = module("c_proj", new HfConv1D());
        activation = Gpt2Activation.parse(arch.activationFunction());
        residPdrop = arch.residPdrop();
    }

    NDArray apply(ParameterStore ps, NDArray x, boolean training) {
        NDArray out = cProj.apply(ps, activation.apply(cFc.apply(ps, x, training)), training);
        if (training && residPdrop > 0) {
            out = Dropout.dropout(out, residPdrop, true).singletonOrThrow();
        }
        return out;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(apply(ps, inputs.singletonOrThrow(), training));
    }
}
