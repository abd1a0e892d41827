package io.mergelab.pipeline;

import io.mergelab.config.StudyConfig;
import io.mergelab.track.TrackingEndpoint;

import java.util.Map;
import java.util.Optional;

/**
 * Where a study's runs go, from the study's {@code tracking:} section and the environment.
 * The server is, first found: {@code tracking.uri} (in the YAML or {@code --set tracking.uri=...}),
 * then {@code MLFLOW_TRACKING_URI}. With neither, runs are journaled under {@code outputs/<study>/tracking/}
 * only, to be sent later with {@code bin/mergelab sync} (or {@code bin/mergelab ui}). {@code enabled: false}
 * records nothing at all.
 *
 * @param endpoint   the server, or empty for journal-only tracking
 * @param experiment the MLflow experiment (default: the study name)
 */
public record TrackingSettings(boolean enabled, Optional<TrackingEndpoint> endpoint, String experiment,
                               long uploadModelsMb) {
    /** Checkpoints up to this size go to MLflow whole (the tiny and small presets); larger ones as a path. */
    public static final long DEFAULT_UPLOAD_MODELS_MB = 100;

    public static TrackingSettings resolve(StudyConfig study, Map<String, String> env) {
        Map<String, Object> t = study.tracking();
        boolean enabled = !Boolean.FALSE.equals(t.get("enabled"));
        Object uri = t.get("uri");
        Optional<TrackingEndpoint> endpoint = uri != null && !uri.toString().isBlank()
                ? Optional.of(TrackingEndpoint.of(uri.toString(), env))
                : TrackingEndpoint.fromEnvironment(env);
        Object experiment = t.get("experiment");
        Object upload = t.get("upload_models_mb");
        return new TrackingSettings(enabled, endpoint,
                experiment != null && !experiment.toString().isBlank() ? experiment.toString() : study.name(),
                upload instanceof Number n ? n.longValue() : DEFAULT_UPLOAD_MODELS_MB);
    }
}
