package io.mergelab.train;

import java.nio.file.Path;

/**
 * Training stopped at a step boundary because the JVM is shutting down (SIGTERM from Slurm, Ctrl-C); a resume
 * checkpoint for that step was written, so running the same command again continues from it.
 */
public final class TrainingStopped extends RuntimeException {
    private final int step;
    private final Path checkpoint;

    TrainingStopped(String what, int step, int totalSteps, Path checkpoint) {
        super(what + " stopped by a shutdown request (SIGTERM/SIGINT) after step " + step + " of " + totalSteps
                + "; resume checkpoint " + checkpoint + " written: run the same command again to continue");
        this.step = step;
        this.checkpoint = checkpoint;
    }

    /** The number of optimiser steps done and saved. */
    public int step() {
        return step;
    }

    public Path checkpoint() {
        return checkpoint;
    }
}
