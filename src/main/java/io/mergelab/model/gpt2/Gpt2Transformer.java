package io.mergelab.model.gpt2;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.norm.Dropout;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

import java.util.ArrayList;
import java.util.List;

/**
 * The GPT-2 backbone (transformers' GPT2Model): token + position embeddings, n_layer blocks, final LayerNorm.
 * Input: token ids [B, T] (int64) and optionally an attention mask [B, T] (1 = token, 0 = padding).
 * Output: the final hidden states [B, T, C].
 */
public final class Gpt2Transformer extends Gpt2Module {
    private final Gpt2Architecture arch;
    private final Parameter wte;
    private final Parameter wpe;
    private final List<Gpt2Layer> layers = new ArrayList<>();
    private final HfLayerNorm lnF;

    public Gpt2Transformer(Gpt2Architecture arch) {
        this.arch = arch;
        wte = parameter("wte.weight", Parameter.Type.WEIGHT);
        wpe = parameter("wpe.weight", Parameter.Type.WEIGHT);
        for (int i = 0; i < arch.nLayer(); i++) {
            layers.add(module("h." + i, new Gpt2Layer(arch, i)));
        }
        lnF = module("ln_f", new HfLayerNorm(arch.layerNormEpsilon()));
    }

    public Gpt2Architecture architecture() {
        return arch;
    }

    Parameter tokenEmbedding() {
        return wte;
    }

    /** Hidden states [B, T, C]; {@code mask} may be null (no padding). */
    public NDArray hidden(ParameterStore ps, NDArray ids, NDArray mask, boolean training) {
        return hidden(ps, ids, mask, training, null);
    }

    /** The same, with the token embeddings from {@code embedder} (null: looked up in {@code wte}). */
    public NDArray hidden(ParameterStore ps, NDArray ids, NDArray mask, boolean training, TokenEmbedder embedder) {
        long b = ids.getShape().get(0);
        long t = checkLength(ids);
        NDManager m = ids.getManager();
        NDArray positions = m.arange(0L, t, 1L, DataType.INT64).reshape(1, t);
        NDArray h = embed(ps, ids.toType(DataType.INT64, false), positions, training, embedder);
        NDArray maskBias = maskBias(m, b, t, mask);
        for (Gpt2Layer layer : layers) {
            h = layer.apply(ps, h, maskBias, training);
        }
        return lnF.apply(ps, h, training);
    }

    /**
     * The final hidden states [B, C] at one position per row ({@code pooled[b]}), as {@code hidden(...)} then
     * a gather gives them, computed on the real tokens only when the batch is right-padded ({@link RowPacking}).
     */
    public NDArray pooled(ParameterStore ps, NDArray ids, NDArray mask, boolean training, TokenEmbedder embedder,
            long[] pooled) {
        int b = (int) ids.getShape().get(0);
        int t = (int) checkLength(ids);
        NDManager m = ids.getManager();
        RowPacking packing = RowPacking.of(m, ids.toType(DataType.INT64, false).toLongArray(),
                mask == null ? null : mask.toType(DataType.INT64, false).toLongArray(), b, t, pooled);
        if (packing == null) {
            NDArray hidden = hidden(ps, ids, mask, training, embedder);
            long c = hidden.getShape().get(2);
            NDArray index = m.create(pooled).reshape(b, 1, 1).broadcast(b, 1, c);
            return hidden.gather(index, 1).reshape(b, c);
        }
        NDArray h = embed(ps, packing.tokens(), packing.positions(), training, embedder);
        NDArray maskBias = maskBias(m, b, t, mask);
        for (int i = 0; i < layers.size(); i++) {
            h = layers.get(i).applyPacked(ps, h, packing, maskBias, training, i == layers.size() - 1);
        }
        return lnF.apply(ps, h, training);
    }

    private long checkLength(NDArray ids) {
        long t = ids.getShape().get(1);
        if (t > arch.nPositions()) {
            throw new IllegalArgumentException("sequence length " + t + " exceeds n_positions " + arch.nPositions()
                    + "; truncate inputs (max_length) to at most " + arch.nPositions());
        }
        return t;
    }

    /** Token plus position embeddings of tokens and positions (int64, same shape), with embedding dropout. */
    private NDArray embed(ParameterStore ps, NDArray tokens, NDArray positions, boolean training,
            TokenEmbedder embedder) {
        NDArray tokenEmbeddings = embedder != null ? embedder.embed(tokens)
                : Embedding.embedding(tokens, ps.getValue(wte, tokens.getDevice(), training), SparseFormat.DENSE)
                        .singletonOrThrow();
        NDArray h = tokenEmbeddings.add(Embedding.embedding(positions,
                ps.getValue(wpe, tokens.getDevice(), training), SparseFormat.DENSE).singletonOrThrow());
        if (training && arch.embdPdrop() > 0) {
            h = Dropout.dropout(h, arch.embdPdrop(), true).singletonOrThrow();
        }
        return h;
    }

    /**
     * [B or 1, 1, T, T] additive attention bias: 0 where attending is allowed (causal, and the key is not
     * padding), float32's lowest value elsewhere, so masked scores vanish in softmax as in transformers.
     */
    private static NDArray maskBias(NDManager m, long b, long t, NDArray mask) {
        NDArray pos = m.arange(0L, t, 1L, DataType.INT64);
        NDArray allowed = pos.reshape(1, t).lte(pos.reshape(t, 1)).reshape(1, 1, t, t);
        if (mask != null) {
            allowed = allowed.logicalAnd(mask.reshape(b, 1, 1, t).toType(DataType.INT64, false).gt(0));
        }
        return allowed.toType(DataType.FLOAT32, false).sub(1f).mul(Float.MAX_VALUE);
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray mask = inputs.size() > 1 ? inputs.get(1) : null;
        return new NDList(hidden(ps, inputs.get(0), mask, training));
    }
}
