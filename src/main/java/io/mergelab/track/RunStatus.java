package io.mergelab.track;

/** How a run ended (MLflow's terminal run states). */
public enum RunStatus {
    FINISHED, FAILED, KILLED
}
