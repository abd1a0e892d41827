package io.mergelab.train;

import java.io.IOException;

/**
 * A behaviour of the {@link TrainingLoop} (DJL's TrainingListener): logging, evaluation, checkpoints, the shutdown
 * checkpoint, the divergence check and the progress bar are each one listener, called in the order given.
 */
interface TrainingListener {
    /** The step's loss and gradients are known; its update is not applied yet (a listener may still refuse it). */
    default void beforeUpdate(TrainingLoop loop, TrainingLoop.StepResult step) {
    }

    /** The step is done and counted in {@code loop.state()}. */
    default void onStep(TrainingLoop loop, TrainingLoop.StepResult step) throws IOException {
    }

    /** The loop ended, however it ended. */
    default void onEnd(TrainingLoop loop) {
    }
}
