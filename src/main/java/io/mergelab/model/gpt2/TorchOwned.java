package io.mergelab.model.gpt2;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Float data from Java copied into memory libtorch allocates. DJL's {@code manager.create(float[])} (and
 * {@code NDArray.set}) on the CPU makes the tensor's storage a Java direct buffer ({@code from_blob}): its address
 * depends on the JVM's allocation history (a resumed run loads from other files in another order than an
 * uninterrupted one), its lifetime on the garbage collector. Weights and optimiser state live for the whole run,
 * so they are copied once into torch's own 64-byte-aligned storage, the same in every process.
 */
public final class TorchOwned {
    private TorchOwned() {
    }

    /** A torch-allocated tensor of {@code shape} holding {@code data}, attached to {@code manager}. */
    public static NDArray of(NDManager manager, float[] data, Shape shape) {
        try (NDArray javaBacked = manager.create(data, shape)) {
            return javaBacked.duplicate(); // torch clone: the CPU allocator's memory
        }
    }

    /** Replaces {@code target}'s values with {@code data} in place of its storage, keeping the Java object. */
    public static void replace(NDArray target, float[] data) {
        boolean grad = target.hasGradient();
        target.intern(of(target.getManager(), data, target.getShape()));
        if (grad) {
            target.setRequiresGradient(true);
        }
    }
}
