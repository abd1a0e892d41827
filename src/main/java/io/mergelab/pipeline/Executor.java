package io.mergelab.pipeline;

/**
 * Runs a plan's steps that are not done yet, each after its dependencies. {@link LocalExecutor} runs them in
 * this JVM; a cluster executor (Slurm) submits each step as a job running {@code mergelab run --only STEP CONFIG},
 * chained by dependencies, and reports through the same listener. Either way a step's output appears in the
 * {@link StepStore} only when complete.
 */
public interface Executor {
    RunSummary execute(Plan plan, StepStore store, StepListener listener) throws Exception;
}
