package io.mergelab.model.gpt2;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * A 0-dim tensor whose memory libtorch owns. DJL's {@code x.mul(0.5f)} wraps the number in a tensor over a Java
 * direct buffer ({@code from_blob}) and closes it right after the op; autograd keeps that tensor for the
 * backward pass, and once the JVM frees the buffer the backward reads freed memory: seeded fine-tunes went NaN
 * at random steps, more often under load (when the collector runs sooner). Every number that enters the
 * forward graph goes through here.
 */
public final class TorchScalar {
    private TorchScalar() {
    }

    /** {@code value} as a 0-dim tensor of {@code like}'s dtype, device and manager (torch::full). */
    public static NDArray of(NDArray like, float value) {
        return like.getManager().full(new Shape(), value, like.getDataType(), like.getDevice());
    }
}
