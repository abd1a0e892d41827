package io.mergelab.track;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** Tracking switched off: every call does nothing. */
public final class NoopTracker implements Tracker {

    @Override
    public TrackedRun startStudy(RunSpec spec) {
        return new NoopRun(spec);
    }

    @Override
    public TrackedRun startStep(TrackedRun parent, RunSpec spec) {
        return new NoopRun(spec);
    }

    @Override
    public void close() {
    }

    private record NoopRun(RunSpec spec) implements TrackedRun {
        @Override public String stepId() { return spec.stepId(); }
        @Override public String runName() { return spec.runName(); }
        @Override public Optional<String> runId() { return Optional.empty(); }
        @Override public void logParams(Map<String, ?> config) { }
        @Override public void logMetric(String key, double value, long step) { }
        @Override public void logMetrics(Map<String, ? extends Number> metrics, long step) { }
        @Override public void setTag(String key, String value) { }
        @Override public void logInputs(java.util.List<DatasetInput> inputs) { }
        @Override public void logArtifact(Path file, String artifactDir) { }
        @Override public void logArtifacts(Path dir, String artifactDir) { }
        @Override public void end(RunStatus status) { }
    }
}
