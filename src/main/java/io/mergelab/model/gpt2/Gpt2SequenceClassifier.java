package io.mergelab.model.gpt2;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * GPT-2 with a classification head (transformers' GPT2ForSequenceClassification): the logits of each
 * row are read at its last non-padding token, found exactly as transformers finds it — the largest
 * position whose id differs from {@code pad_token_id}.
 */
public final class Gpt2SequenceClassifier extends Gpt2Module {
    private final Gpt2Transformer transformer;
    private final ScoreHead score;
    private final Integer padTokenId;

    /** @param padTokenId id that marks padding; null allows only batches of one row, as in transformers */
    public Gpt2SequenceClassifier(Gpt2Architecture arch, Integer padTokenId) {
        transformer = module("transformer", new Gpt2Transformer(arch));
        score = module("score", new ScoreHead());
        this.padTokenId = padTokenId;
    }

    public Gpt2Transformer transformer() {
        return transformer;
    }

    /** Input: ids [B, T] and optional mask [B, T]. Output: logits [B, num_labels]. */
    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(logits(ps, inputs.get(0), inputs.size() > 1 ? inputs.get(1) : null, training, null));
    }

    /** Logits [B, num_labels] of ids [B, T] (mask may be null); token embeddings from {@code embedder} if not null. */
    public NDArray logits(ParameterStore ps, NDArray ids, NDArray mask, boolean training, TokenEmbedder embedder) {
        NDArray hidden = transformer.hidden(ps, ids, mask, training, embedder);
        NDArray last = lastTokenIndex(ids); // [B]
        long b = hidden.getShape().get(0);
        long c = hidden.getShape().get(2);
        NDArray index = last.reshape(b, 1, 1).broadcast(b, 1, c);
        NDArray pooled = hidden.gather(index, 1).reshape(b, c);
        return score.apply(ps, pooled, training);
    }

    private NDArray lastTokenIndex(NDArray ids) {
        long b = ids.getShape().get(0);
        long t = ids.getShape().get(1);
        NDManager m = ids.getManager();
        if (padTokenId == null) {
            if (b != 1) {
                throw new IllegalArgumentException(
                        "cannot classify batches of more than one row: the model config has no pad_token_id");
            }
            return m.create(new long[] {t - 1});
        }
        NDArray notPad = ids.toType(DataType.INT64, false).neq(padTokenId.longValue()).toType(DataType.INT64, false);
        NDArray positions = m.arange(0L, t, 1L, DataType.INT64).reshape(1, t);
        return positions.mul(notPad).argMax(1);
    }
}
