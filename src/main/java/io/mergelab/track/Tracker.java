package io.mergelab.track;

/**
 * What the pipeline records into: one MLflow experiment per study, a parent run per study execution,
 * a child run per fine-tune / merge / evaluation step. Implementations never fail a step because the
 * server is down: records go to the step's offline journal and are replayed later
 * ({@link JournalSync}, {@code bin/mergelab sync}).
 */
public interface Tracker extends AutoCloseable {

    /** Starts the study's parent run, or resumes the run already tagged with {@code spec.stepId()}. */
    TrackedRun startStudy(RunSpec spec);

    /** Starts a child run of {@code parent} (tag {@code mlflow.parentRunId}), or resumes it by step id. */
    TrackedRun startStep(TrackedRun parent, RunSpec spec);

    @Override
    void close();
}
