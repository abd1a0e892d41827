package io.mergelab.pipeline;

import io.mergelab.train.MetricsSink;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * Runs one step whose dependencies are done: work folder, action, commit with the done-marker last. Executors
 * call it; a cluster job running a single step ({@code mergelab run --only STEP}) goes through it as well.
 */
public final class StepRunner {
    private StepRunner() {
    }

    /** @return null when the step finished and is committed, else what went wrong (its work folder is gone) */
    public static Throwable run(Step step, Plan plan, StepStore store, StepListener listener) {
        Instant start = Instant.now();
        Path work = null;
        try {
            listener.started(step);
            work = store.begin(step);
            Path workDir = work;
            MetricsSink live = listener.liveMetrics(step);
            step.action().run(new StepContext() {
                @Override
                public Step step() {
                    return step;
                }

                @Override
                public Path workDir() {
                    return workDir;
                }

                @Override
                public Path outputOf(String stepId) {
                    if (!step.deps().contains(stepId)) {
                        throw new IllegalArgumentException(step.label() + " reads " + stepId + ", not a dependency");
                    }
                    String broken = store.brokenReason(stepId, false);
                    if (broken != null) { // damaged after this run planned: fail here, not deep in the step
                        throw new IllegalStateException(plan.step(stepId).label() + " (" + stepId + "): " + broken
                                + "; run the study again to redo it");
                    }
                    return store.dir(stepId);
                }

                @Override
                public Plan plan() {
                    return plan;
                }

                @Override
                public Path studyDir() {
                    return store.root();
                }

                @Override
                public MetricsSink metrics() {
                    return live != null ? live : MetricsSink.NONE;
                }
            });
            Path out = store.commit(step, work, start);
            listener.finished(step, out, Duration.between(start, Instant.now()));
            return null;
        } catch (Throwable e) { // a step's failure (even an Error) must not take the other steps down
            if (work != null && !step.action().resumable()) {
                try {
                    StepStore.deleteRecursively(work);
                } catch (Exception cleanup) {
                    e.addSuppressed(cleanup);
                }
            }
            listener.failed(step, e);
            return e;
        }
    }
}
