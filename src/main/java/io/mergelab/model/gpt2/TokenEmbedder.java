package io.mergelab.model.gpt2;

import ai.djl.ndarray.NDArray;

/**
 * Turns token ids (int64 [B, T]) into token embeddings [B, T, C] for one forward pass. The model's own is a
 * lookup in {@code wte}; a trainer supplies another to follow the rows a step uses (and their gradient)
 * itself, with the same values.
 */
@FunctionalInterface
public interface TokenEmbedder {
    NDArray embed(NDArray tokens);
}
