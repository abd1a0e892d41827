package io.mergelab.train;

import java.nio.file.Path;

/**
 * Outcome of a pre-training run. Perplexities are exp(mean next-token loss) on the held-out blocks, before
 * ({@code initialPerplexity}, NaN after a resume) and after training; {@code resumedFromStep} is -1 for a fresh run.
 */
public record PretrainResult(Path modelDir, int steps, double trainLoss, double heldOutLoss, double perplexity,
        double initialPerplexity, long trainTokens, long heldOutTokens, double tokensPerSecond, int resumedFromStep) {}
