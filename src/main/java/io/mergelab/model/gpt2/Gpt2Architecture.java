package io.mergelab.model.gpt2;

/**
 * The hyper-parameters that shape a GPT-2 network, separated from config.json so the
 * modelling code depends on nothing but what it computes with.
 */
public record Gpt2Architecture(
        int vocabSize,
        int nPositions,
        int nEmbd,
        int nLayer,
        int nHead,
        int nInner,
        double layerNormEpsilon,
        String activationFunction,
        boolean scaleAttnWeights,
        boolean scaleAttnByInverseLayerIdx,
        float embdPdrop,
        float attnPdrop,
        float residPdrop) {

    public Gpt2Architecture {
        if (nEmbd % nHead != 0) {
            throw new IllegalArgumentException("n_embd " + nEmbd + " is not divisible by n_head " + nHead);
        }
        Gpt2Activation.parse(activationFunction); // fail early on an unknown activation
    }

    public int headDim() {
        return nEmbd / nHead;
    }

    /** The same network with every dropout rate set to {@code p} (0 for deterministic inference). */
    public Gpt2Architecture withDropout(float embd, float attn, float resid) {
        return new Gpt2Architecture(vocabSize, nPositions, nEmbd, nLayer, nHead, nInner, layerNormEpsilon,
                activationFunction, scaleAttnWeights, scaleAttnByInverseLayerIdx, embd, attn, resid);
    }
}
