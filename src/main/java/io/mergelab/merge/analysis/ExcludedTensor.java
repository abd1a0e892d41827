package io.mergelab.merge.analysis;

/** A tensor left out of the analysis (canonical name, without {@code transformer.}) and why. */
public record ExcludedTensor(String tensor, String reason) {
}
