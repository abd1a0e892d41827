package io.mergelab.merge.analysis;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What the analysis measures at which levels; every level is a fraction in (0, 1].
 *
 * @param tiesDensities  sign conflicts are also counted after TIES trimming at each of these densities
 * @param topKFractions  the magnitude profile: mass held by each tensor's top fraction of coordinates by |τ|
 * @param dareDensities  DARE keep probabilities p for ‖drop-and-rescale(τ)‖₂ / ‖τ‖₂
 * @param seed           the DARE masks' seed (the same masks {@code dare_linear} draws with {@code --seed})
 */
public record AnalysisSettings(List<Double> tiesDensities, List<Double> topKFractions, List<Double> dareDensities,
        long seed) {
    /** TIES' own top-20 % (Yadav et al., 2023) and the 0.5 of mergekit's examples. */
    public static final List<Double> DEFAULT_TIES_DENSITIES = List.of(0.2, 0.5);
    public static final List<Double> DEFAULT_TOP_K = List.of(0.01, 0.05, 0.1, 0.2, 0.5);
    /** DARE's 90 % drop (Yu et al., 2023), the 0.5 of mergekit's dare_ties examples, and a mild 10 % drop. */
    public static final List<Double> DEFAULT_DARE_DENSITIES = List.of(0.1, 0.5, 0.9);

    public AnalysisSettings {
        tiesDensities = checked("tiesDensities", tiesDensities);
        topKFractions = checked("topKFractions", topKFractions);
        dareDensities = checked("dareDensities", dareDensities);
    }

    public static AnalysisSettings defaults() {
        return new AnalysisSettings(DEFAULT_TIES_DENSITIES, DEFAULT_TOP_K, DEFAULT_DARE_DENSITIES, 0L);
    }

    private static List<Double> checked(String field, List<Double> values) {
        if (values == null) {
            throw new IllegalArgumentException(field + " is missing");
        }
        Set<Double> seen = new HashSet<>();
        for (Double v : values) {
            if (v == null || !(v > 0 && v <= 1)) {
                throw new IllegalArgumentException(field + ": " + v + " is not a fraction in (0, 1]");
            }
            if (!seen.add(v)) {
                throw new IllegalArgumentException(field + ": " + v + " is listed twice");
            }
        }
        return List.copyOf(values);
    }
}
