package io.mergelab.model.gpt2;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/** GPT-2 with its language-model head tied to the token embedding (transformers' GPT2LMHeadModel). */
public final class Gpt2LmHeadModel extends Gpt2Module {
    private final Gpt2Transformer transformer;

    public Gpt2LmHeadModel(Gpt2Architecture arch) {
        transformer = module("transformer", new Gpt2Transformer(arch));
    }

    public Gpt2Transformer transformer() {
        return transformer;
    }

    /** Input: ids [B, T] and optional mask [B, T]. Output: logits [B, T, vocab]. */
    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray mask = inputs.size() > 1 ? inputs.get(1) : null;
        NDArray ids = inputs.get(0);
        NDArray hidden = transformer.hidden(ps, ids, mask, training);
        NDArray wte = ps.getValue(transformer.tokenEmbedding(), ids.getDevice(), training);
        return new NDList(hidden.matMul(perCall(wte.transpose(), ids)));
    }

    /**
     * Logits over a subset of the vocabulary only: ids [B, T] and candidate token ids [C] (int64) give
     * [B, T, C], column c being the logit of token {@code candidates[c]} (for a sampled softmax in training).
     */
    public NDArray candidateLogits(ParameterStore ps, NDArray ids, NDArray candidates, boolean training) {
        NDArray hidden = transformer.hidden(ps, ids, null, training);
        NDArray wte = ps.getValue(transformer.tokenEmbedding(), ids.getDevice(), training);
        return hidden.matMul(perCall(wte.get(candidates), ids).transpose());
    }
}
