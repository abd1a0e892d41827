package io.mergelab.model.gpt2;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
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
        return score.apply(ps, transformer.pooled(ps, ids, mask, training, embedder, lastTokenIndex(ids)), training);
    }

    /** Per row, the largest position whose id is not the pad id (0 when every id is). */
    private long[] lastTokenIndex(NDArray ids) {
        int b = (int) ids.getShape().get(0);
        int t = (int) ids.getShape().get(1);
        if (padTokenId == null) {
            if (b != 1) {
                throw new IllegalArgumentException(
                        "cannot classify batches of more than one row: the model config has no pad_token_id");
            }
            return new long[] {t - 1};
        }
        long[] flat = ids.toType(DataType.INT64, false).toLongArray();
        long[] last = new long[b];
        for (int r = 0; r < b; r++) {
            for (int j = t - 1; j > 0; j--) {
                if (flat[r * t + j] != padTokenId) {
                    last[r] = j;
                    break;
                }
            }
        }
        return last;
    }
}
