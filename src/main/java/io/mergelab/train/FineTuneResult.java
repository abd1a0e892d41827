package io.mergelab.train;

import io.mergelab.eval.ClassificationMetrics;

import java.nio.file.Path;

/**
 * Outcome of a fine-tune. {@code validation}/{@code test} are the final model's metrics (null when the
 * split was empty); {@code resumedFromStep} is -1 for a fresh run.
 */
public record FineTuneResult(Path modelDir, int steps, int stepsPerEpoch, double trainLoss, double tokensPerSecond,
        double secondsPerEpoch, boolean stoppedEarly, int bestStep, int resumedFromStep,
        ClassificationMetrics validation, ClassificationMetrics test) {}
