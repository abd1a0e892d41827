package io.mergelab.pipeline;

/** The work of one step: writes its results into {@link StepContext#workDir()} and nowhere else. */
public interface StepAction {
    void run(StepContext context) throws Exception;

    /**
     * True when the action can continue from what a killed attempt left in its work folder (fine-tuning resumes
     * from its checkpoints); such a step keeps one stable work folder instead of a fresh one per attempt.
     */
    default boolean resumable() {
        return false;
    }

    /**
     * A resource at most one running step may hold in a process (null: none). Fine-tuning returns
     * {@code "gradient-collector"}: DJL's PyTorch engine allows one gradient collector per process at a time.
     */
    default String exclusiveResource() {
        return null;
    }
}
