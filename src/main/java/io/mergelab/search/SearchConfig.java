package io.mergelab.search;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A merge-parameter search, immutable: which merge, which of its parameters are free (and their bounds),
 * what is optimised on which validation data, how many candidates, which strategy.
 *
 * @param name         search name (MLflow run names, output files)
 * @param merge        the merge being tuned
 * @param free         free parameters; each expands to one dimension per model (per-model parameters)
 *                     and per layer group
 * @param objective    the validation score to maximise
 * @param budget       when to stop
 * @param seed         drives every random choice (random points, CMA-ES, per-candidate merge seeds)
 * @param keepBest     how many of the best candidates are kept on disk as checkpoints
 * @param baselines    fixed-parameter merges scored beside the search for the report (not candidates)
 */
public record SearchConfig(String name, MergeSpace merge, List<FreeParameter> free, Objective objective,
        Budget budget, Strategy strategy, long seed, int gridPoints, Cmaes cmaes, int keepBest,
        EvalSettings eval, List<Baseline> baselines) {

    public SearchConfig {
        free = List.copyOf(free);
        baselines = List.copyOf(baselines);
    }

    public enum Strategy { GRID, RANDOM, CMAES }

    /**
     * The same search over other checkpoint directories, looked up by model name (and the base by its
     * directory name): how the pipeline points a {@code search:} section at its fine-tune step outputs.
     */
    public SearchConfig withModelDirs(java.util.function.Function<String, Path> byName) {
        Map<String, Path> models = new java.util.LinkedHashMap<>();
        merge.models().keySet().forEach(n -> models.put(n, byName.apply(n)));
        Optional<Path> base = merge.baseModel().map(b -> byName.apply(b.getFileName().toString()));
        return new SearchConfig(name, new MergeSpace(merge.method(), models, base, merge.fixed(),
                merge.layerGranularity(), merge.mergeSeed()), free, objective, budget, strategy, seed, gridPoints,
                cmaes, keepBest, eval, baselines);
    }

    /**
     * @param models           absolute checkpoint directories in recipe order, by short name
     * @param fixed            parameters that are not searched (top-level mergekit parameters)
     * @param layerGranularity 0: one value for all layers; n: one value per group of n layers (mergekit-evolve)
     * @param mergeSeed        seed passed to the merge for grid and CMA-ES candidates (random draws one per candidate)
     */
    public record MergeSpace(String method, Map<String, Path> models, Optional<Path> baseModel,
            Map<String, Double> fixed, int layerGranularity, long mergeSeed) {
        public MergeSpace {
            models = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(models));
            fixed = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(fixed));
        }
    }

    /** @param models for per-model parameters: the model names it applies to (empty: all non-base models) */
    public record FreeParameter(String param, List<String> models, double min, double max) {
        public FreeParameter {
            models = List.copyOf(models);
        }
    }

    /**
     * Weighted mean of {@code metric} over datasets on {@code split}.
     *
     * @param maxExamples cap per dataset (first n of the seeded split; 0: all)
     */
    public record Objective(String metric, String split, List<ObjectiveDataset> datasets, long splitSeed,
            int maxExamples) {
        public Objective {
            datasets = List.copyOf(datasets);
        }

        /** Loss and calibration error are minimised; everything else maximised. */
        public boolean minimise() {
            String m = metric.toLowerCase(java.util.Locale.ROOT).replace("eval_", "");
            return m.equals("loss") || m.equals("ece");
        }
    }

    public record ObjectiveDataset(Path spec, double weight) {
    }

    /** @param wallTime empty: no time limit; counts time spent evaluating candidates, earlier interrupted runs included */
    public record Budget(int candidates, Optional<Duration> wallTime) {
    }

    /** @param population 0: CMA-ES's default 4 + 3 ln(d); sigma in units of each parameter's range */
    public record Cmaes(int population, double sigma) {
    }

    public record EvalSettings(int batchSize, int maxLength) {
    }

    /** A named fixed-parameter merge (values by dimension name) scored for comparison. */
    public record Baseline(String name, Map<String, Double> values) {
        public Baseline {
            values = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(values));
        }
    }
}
