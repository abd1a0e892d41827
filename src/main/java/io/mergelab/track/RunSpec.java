package io.mergelab.track;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One run to start: the study (= MLflow experiment), the step id that identifies the run across resumes,
 * a readable name ({@code ft/yelp/slice-2}), the step directory that holds its offline journal, and tags.
 * Immutable; the {@code with*} methods add the standard tags.
 */
public record RunSpec(String study, String stepId, String runName, Path stepDir, Map<String, String> tags) {

    public RunSpec {
        Objects.requireNonNull(study, "study");
        Objects.requireNonNull(stepId, "stepId");
        Objects.requireNonNull(runName, "runName");
        Objects.requireNonNull(stepDir, "stepDir");
        if (stepId.contains("'") || study.contains("'")) {
            throw new IllegalArgumentException("step id '" + stepId + "' / study '" + study
                    + "': a single quote cannot be used (it is looked up in an MLflow filter)");
        }
        tags = Map.copyOf(tags);
    }

    public static RunSpec of(String study, String stepId, String runName, Path stepDir) {
        return new RunSpec(study, stepId, runName, stepDir, Map.of());
    }

    public RunSpec withTag(String key, String value) {
        if (value == null) {
            return this;
        }
        Map<String, String> t = new LinkedHashMap<>(tags);
        t.put(key, value);
        return new RunSpec(study, stepId, runName, stepDir, t);
    }

    public RunSpec withConfigHash(String hash) {
        return withTag(RunTags.CONFIG_HASH, hash);
    }

    public RunSpec withGitCommit(String commit) {
        return withTag(RunTags.GIT_COMMIT, commit);
    }

    public RunSpec withMethod(String method) {
        return withTag(RunTags.METHOD, method);
    }

    public RunSpec withDataset(String dataset) {
        return withTag(RunTags.DATASET, dataset);
    }

    public RunSpec withExecutor(String executor) {
        return withTag(RunTags.EXECUTOR, executor);
    }

    public RunSpec withSlurmJobId(String jobId) {
        return withTag(RunTags.SLURM_JOB_ID, jobId);
    }
}
