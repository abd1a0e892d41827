package io.mergelab.merge;

import io.mergelab.model.checkpoint.CheckpointDir;

/** A model named in a recipe ({@code ref} exactly as written) and the checkpoint it resolved to. */
public record ModelInput(String ref, CheckpointDir dir) {
    @Override
    public String toString() {
        return ref;
    }
}
