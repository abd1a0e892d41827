package io.mergelab.track;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** One MLflow run as the pipeline sees it. Not thread-safe: one step logs from one thread. */
public interface TrackedRun extends AutoCloseable {

    String stepId();

    String runName();

    /** The MLflow run id, once the server has it (empty while journaled offline, or for the no-op tracker). */
    Optional<String> runId();

    /**
     * Logs a step's resolved config, flattened to dotted keys ({@code training.learning_rate},
     * {@code merge.models}); values longer than MLflow's limit are shortened with a hash. On a resumed run
     * a key already logged with the same value is skipped, one with a different value is kept as it was
     * (MLflow params are immutable) and reported on stderr.
     */
    void logParams(Map<String, ?> config);

    void logMetric(String key, double value, long step);

    void logMetrics(Map<String, ? extends Number> metrics, long step);

    void setTag(String key, String value);

    /** Records datasets the run used (MLflow's dataset inputs); logging one again does nothing. */
    void logInputs(java.util.List<DatasetInput> inputs);

    /** Uploads one file into the run's artifacts under {@code artifactDir} ("" for the root). */
    void logArtifact(Path file, String artifactDir);

    /** Uploads a directory tree (e.g. the report directory) under {@code artifactDir}. */
    void logArtifacts(Path dir, String artifactDir);

    /** Ends the run; a second call does nothing. */
    void end(RunStatus status);

    /** Ends the run as FINISHED unless {@link #end} was called (call {@code end(FAILED)} on errors first). */
    @Override
    default void close() {
        end(RunStatus.FINISHED);
    }
}
