package io.mergelab.track;

/**
 * A dataset a run used, as MLflow 3 lists it in the run's "Datasets" column and on the run page (its
 * {@code runs/log-inputs} API): {@code name} ("yelp/train"), {@code digest} (of the file's bytes, so a changed
 * file is a new dataset), {@code source} (a local path), {@code rows}, {@code context} ("training", "validation",
 * "test": MLflow's {@code mlflow.data.context} tag) and an optional {@code note} kept in the profile (e.g. the
 * slice of the file a variant trained on).
 */
public record DatasetInput(String name, String digest, String source, long rows, String context, String note) {
}
