package io.mergelab.pipeline;

import io.mergelab.train.MetricsSink;

import java.nio.file.Path;

/** What a running step may see: its own (temporary) output folder and the finished outputs of its dependencies. */
public interface StepContext {
    Step step();

    /** Where the step writes; renamed to its final place when the step finishes. */
    Path workDir();

    /** The final output folder of a finished dependency. */
    Path outputOf(String stepId);

    /** The whole plan, for steps that report on every other step. */
    Plan plan();

    /** Where every step's final output lives, {@code outputs/<study>/}. */
    Path studyDir();

    /** Where a training step sends its history while it runs (the step's tracking run); never null. */
    default MetricsSink metrics() {
        return MetricsSink.NONE;
    }
}
