package io.mergelab.merge;

/** What happens to classification heads ({@code score.weight}). */
public enum HeadMode {
    /** No input has a classification head (language models): nothing to do. */
    NONE,
    /** Every input has a head over the same labels: {@code score.weight} is merged like any tensor. */
    MERGED,
    /** Label spaces differ (or the base has none): merged backbone plus one head per task under {@code heads/}. */
    PER_TASK
}
