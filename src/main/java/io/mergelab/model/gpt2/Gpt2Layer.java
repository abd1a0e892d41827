package io.mergelab.model.gpt2;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/** One pre-LayerNorm transformer block, {@code h.N} in a checkpoint. */
final class Gpt2Layer extends Gpt2Module {
    private final HfLayerNorm ln1;
    private final Gpt2Attention attn;
    private final HfLayerNorm ln2;
    private final Gpt2Mlp mlp;

    Gpt2Layer(Gpt2Architecture arch, int layerIdx) {
        ln1 = module("ln_1", new HfLayerNorm(arch.layerNormEpsilon()));
        attn = module("attn", new Gpt2Attention(arch, layerIdx));
        ln2 = module("ln_2", new HfLayerNorm(arch.layerNormEpsilon()));
        mlp = module("mlp", new Gpt2Mlp(arch));
    }

    NDArray apply(ParameterStore ps, NDArray x, NDArray maskBias, boolean training) {
        NDArray h = x.add(attn.apply(ps, ln1.apply(ps, x, training), maskBias, training));
        return h.add(mlp.apply(ps, ln2.apply(ps, h, training), training));
    }

    /**
     * The packed form ({@link RowPacking}): x [N, C] real tokens; a last block returns the pooled rows [B, C]
     * only, the others every real token [N, C].
     */
    NDArray applyPacked(ParameterStore ps, NDArray x, RowPacking packing, NDArray maskBias, boolean training,
            boolean last) {
        NDArray residual = last ? RowPacking.rowsOf(x, packing.pooledPacked()) : x;
        NDArray keep = last ? packing.pooledPadded() : null;
        NDArray h = residual.add(attn.applyPacked(ps, ln1.apply(ps, x, training), packing, keep, maskBias, training));
        return h.add(mlp.apply(ps, ln2.apply(ps, h, training), training));
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(apply(ps, inputs.get(0), inputs.get(1), training));
    }
}
