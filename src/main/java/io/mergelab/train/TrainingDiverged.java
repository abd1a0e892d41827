package io.mergelab.train;

/** The loss or the gradient norm of a step is NaN or infinite: the run stops before that step's update. */
public final class TrainingDiverged extends RuntimeException {
    TrainingDiverged(String message) {
        super(message);
    }
}
