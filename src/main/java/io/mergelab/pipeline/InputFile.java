package io.mergelab.pipeline;

import java.nio.file.Path;

/**
 * A file a step reads, in its identity by content: its name (the extension can decide how it is read) and the
 * SHA-256 of its bytes. Where it lies is not identity: the same data moved gives the same step.
 */
record InputFile(@NotInStepId Path path, String name, String sha256) {
    static InputFile of(Path file) {
        return new InputFile(file, file.getFileName().toString(), StudyPlanner.hashFile(file));
    }

    /** Null for no file (an optional split file not given). */
    static InputFile orNull(Path file) {
        return file == null ? null : of(file);
    }
}
