package io.mergelab.track;

/** Tag keys every mergelab run carries; plain names so they read well in the MLflow UI and in filters. */
public final class RunTags {
    private RunTags() {}

    public static final String STUDY = "study";
    /** Identifies a run across resumes and re-submissions: the tracker looks runs up by it. */
    public static final String STEP_ID = "step_id";
    public static final String CONFIG_HASH = "config_hash";
    public static final String METHOD = "method";
    public static final String DATASET = "dataset";
    public static final String EXECUTOR = "executor";
    public static final String SLURM_JOB_ID = "slurm_job_id";
    public static final String GIT_COMMIT = "mlflow.source.git.commit";
    public static final String RUN_NAME = "mlflow.runName";
    public static final String PARENT_RUN_ID = "mlflow.parentRunId";
    public static final String NOTE = "mlflow.note.content";
    public static final String USER = "mlflow.user";
    public static final String SOURCE_NAME = "mlflow.source.name";
    public static final String SOURCE_TYPE = "mlflow.source.type";
}
