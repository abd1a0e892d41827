package io.mergelab.pipeline;

import io.mergelab.train.MetricsSink;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * Hears what an executor does; tracking (MLflow), progress bars and logs plug in here. Calls may come from
 * worker threads; implementations must be thread-safe. Every method has an empty default.
 */
public interface StepListener {
    /** Before anything runs: the plan and which of its steps are already done. */
    default void planned(Plan plan, Set<String> done) {
    }

    default void started(Step step) {
    }

    /** The step finished; its outputs (metrics.json, result.json, model/) are in {@code outputDir}. */
    default void finished(Step step, Path outputDir, Duration took) {
    }

    default void failed(Step step, Throwable error) {
    }

    /** Not run: another process (e.g. {@code run --only STEP}) finished it while this run waited for it. */
    default void doneElsewhere(Step step) {
    }

    /** Not run because {@code cause} (a dependency) failed or was itself blocked. */
    default void blocked(Step step, Step cause) {
    }

    default void runFinished(RunSummary summary) {
    }

    /** Where a started step's training history goes while it runs (live tracking), or null for nowhere. */
    default MetricsSink liveMetrics(Step step) {
        return null;
    }

    static StepListener all(List<StepListener> listeners) {
        return new StepListener() {
            @Override
            public void planned(Plan plan, Set<String> done) {
                listeners.forEach(l -> l.planned(plan, done));
            }

            @Override
            public void started(Step step) {
                listeners.forEach(l -> l.started(step));
            }

            @Override
            public void finished(Step step, Path outputDir, Duration took) {
                listeners.forEach(l -> l.finished(step, outputDir, took));
            }

            @Override
            public void failed(Step step, Throwable error) {
                listeners.forEach(l -> l.failed(step, error));
            }

            @Override
            public void doneElsewhere(Step step) {
                listeners.forEach(l -> l.doneElsewhere(step));
            }

            @Override
            public void blocked(Step step, Step cause) {
                listeners.forEach(l -> l.blocked(step, cause));
            }

            @Override
            public void runFinished(RunSummary summary) {
                listeners.forEach(l -> l.runFinished(summary));
            }

            @Override
            public MetricsSink liveMetrics(Step step) {
                List<MetricsSink> sinks = listeners.stream().map(l -> l.liveMetrics(step))
                        .filter(java.util.Objects::nonNull).toList();
                return sinks.isEmpty() ? null : (at, values) -> sinks.forEach(k -> k.log(at, values));
            }
        };
    }
}
