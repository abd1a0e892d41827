package io.mergelab.merge;

/**
 * Where the F32 data of a planned input comes from. The runner reads from disk into recycled arrays it may
 * overwrite; an in-memory merge (search) keeps inputs cached across candidates and must not have them modified.
 */
public interface InputTensors {
    float[] read(PlannedTensor.Input in);

    /** True when the arrays returned belong to the caller and a method may overwrite them. */
    boolean disposable();

    /** Hands back an array {@link #read} returned once the merge no longer needs it. */
    default void release(float[] array) {
    }
}
