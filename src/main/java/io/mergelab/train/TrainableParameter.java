package io.mergelab.train;

import ai.djl.ndarray.NDArray;

/**
 * A parameter the optimiser updates. {@code decay} is false for biases and LayerNorm weights, which
 * transformers' Trainer excludes from weight decay.
 */
public record TrainableParameter(String name, NDArray array, boolean decay) {

    /** transformers' rule: no decay for any "bias" and for LayerNorm parameters (GPT-2: ln_1, ln_2, ln_f). */
    public static boolean decays(String hfName) {
        if (hfName.contains("bias")) {
            return false;
        }
        String[] parts = hfName.split("\\.");
        for (String p : parts) {
            if (p.equals("ln_1") || p.equals("ln_2") || p.equals("ln_f")) {
                return false;
            }
        }
        return true;
    }
}
