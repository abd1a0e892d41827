package io.mergelab.model.gpt2;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.norm.Dropout;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/** Causal multi-head self-attention, transformers' GPT2Attention (eager path). */
final class Gpt2Attention extends Gpt2Module {
    private final HfConv1D cAttn;
    private final HfConv1D cProj;
    private final int nHead;
    private final int headDim;
    private final float scale;
    private final float attnPdrop;
    private final float residPdrop;

    Gpt2Attention(Gpt2Architecture arch, int layerIdx) {
        cAttn = module("c_attn", new HfConv1D());
        cProj = module("c_proj", new HfConv1D());
        nHead = arch.nHead();
        headDim = arch.headDim();
        double s = 1.0;
        if (arch.scaleAttnWeights()) {
            s /= Math.sqrt(headDim);
        }
        if (arch.scaleAttnByInverseLayerIdx()) {
            s /= layerIdx + 1;
        }
        scale = (float) s;
        attnPdrop = arch.attnPdrop();
        residPdrop = arch.residPdrop();
    }

    /**
     * @param x       [B, T, C] hidden states
     * @param maskBias [B or 1, 1, T, T]: 0 where query i may attend to key j (causal, not padding),
     *                 float32's lowest value elsewhere, as transformers masks
     */
    NDArray apply(ParameterStore ps, NDArray x, NDArray maskBias, boolean training) {
        Shape s = x.getShape();
        return project(ps, attend(cAttn.apply(ps, x, training), s.get(0), s.get(1), s.get(2), maskBias, training),
                training);
    }

    /**
     * The packed form: x [N, C] holds the batch's real tokens ({@link RowPacking}); the output [K, C] holds the
     * rows {@code keep} of the padded layout (flat [B·T] indices; null: every real token).
     */
    NDArray applyPacked(ParameterStore ps, NDArray x, RowPacking packing, NDArray keep, NDArray maskBias,
            boolean training) {
        long c = x.getShape().get(1);
        NDArray qkv = packing.toPadded(cAttn.apply(ps, x, training));
        NDArray merged = attend(qkv, packing.rows(), packing.length(), c, maskBias, training);
        return project(ps, packing.fromPadded(merged, keep), training);
    }

    /** Softmax attention of qkv [B, T, 3C]: the heads' outputs merged, [B, T, C]. */
    private NDArray attend(NDArray qkvAll, long b, long t, long c, NDArray maskBias, boolean training) {
        NDList qkv = qkvAll.split(3, 2);
        NDArray q = heads(qkv.get(0), b, t);
        NDArray k = heads(qkv.get(1), b, t);
        NDArray v = heads(qkv.get(2), b, t);

        NDArray raw = q.matMul(k.transpose(0, 1, 3, 2));
        NDArray scores = raw.mul(TorchScalar.of(raw, scale)).add(maskBias);
        NDArray probs = scores.softmax(-1);
        if (training && attnPdrop > 0) {
            probs = Dropout.dropout(probs, attnPdrop, true).singletonOrThrow();
        }
        return probs.matMul(v).transpose(0, 2, 1, 3).reshape(b, t, c);
    }

    private NDArray project(ParameterStore ps, NDArray merged, boolean training) {
        NDArray out = cProj.apply(ps, merged, training);
        if (training && residPdrop > 0) {
            out = Dropout.dropout(out, residPdrop, true).singletonOrThrow();
        }
        return out;
    }

    /** [B, T, C] → [B, H, T, D] */
    private NDArray heads(NDArray x, long b, long t) {
        return x.reshape(b, t, nHead, headDim).transpose(0, 2, 1, 3);
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(apply(ps, inputs.get(0), inputs.get(1), training));
    }
}
