package io.mergelab.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A validated study: what to fine-tune, merge, evaluate and report. Built only by {@link StudyConfigParser};
 * every reference between sections has been checked and every path resolved.
 *
 * @param seeds   the study is repeated once per seed (mean ± std in the report); the first is the main seed
 * @param merges  explicit merges followed by the expansion of every sweep
 * @param notes   things a user should know about how the config was read (legacy shape, ignored hub keys)
 * @param search  the {@code search:} section (merge-parameter search over variants), or null
 */
public record StudyConfig(String name, List<Long> seeds, BaseModel baseModel, List<DatasetRef> datasets,
                          List<Variant> variants, Map<String, Object> trainingArgs, List<MergeSpec> merges,
                          Evaluate evaluate, Map<String, Object> tracking, ExecutorSettings executor,
                          ReportSettings report, Path source, List<String> notes, StudySearch search) {

    public StudyConfig {
        seeds = List.copyOf(seeds);
        datasets = List.copyOf(datasets);
        variants = List.copyOf(variants);
        trainingArgs = Frozen.map(trainingArgs);
        merges = List.copyOf(merges);
        tracking = Frozen.map(tracking);
        notes = List.copyOf(notes);
    }

    public DatasetRef dataset(String name) {
        return datasets.stream().filter(d -> d.name().equals(name)).findFirst().orElseThrow();
    }

    public Variant variant(String name) {
        return variants.stream().filter(v -> v.name().equals(name)).findFirst().orElseThrow();
    }

    /** The model every variant is fine-tuned from: a factory preset or an existing Hugging Face directory. */
    public record BaseModel(String preset, Path path, long seed, Mark mark) {
        public boolean isPreset() {
            return path == null;
        }

        public String describe() {
            return isPreset() ? "factory preset " + preset + " (seed " + seed + ")" : path.toString();
        }
    }

    /** A dataset spec by file (see configs/datasets/) or inline; {@code name} is how variants refer to it. */
    public record DatasetRef(String name, Path specFile, Map<String, Object> inline, Mark mark) {
        public DatasetRef {
            inline = inline == null ? null : Frozen.map(inline);
        }
    }

    /**
     * One fine-tuned model: the base trained on {@code dataset}, either all of its training split
     * ({@code sliceCount == 0}) or disjoint slice {@code sliceIndex} of {@code sliceCount}.
     */
    public record Variant(String name, String dataset, int sliceIndex, int sliceCount, long seed,
                          Map<String, Object> trainingArgs, Mark mark) {
        public Variant {
            trainingArgs = Frozen.map(trainingArgs);
        }
    }

    /** A model taking part in a merge, with its per-model mergekit parameters (weight, density, ...). */
    public record MergeModel(String variant, Map<String, Object> parameters) {
        public MergeModel {
            parameters = Frozen.map(parameters);
        }
    }

    /**
     * One merge, mergekit-style. {@code baseModel} is {@code "base"} (the pre-trained model), a variant
     * name, or null for methods without a base. {@code sweep} names the sweep it came from (null when explicit)
     * and {@code sweepPoint} holds the swept values (method, density, weight, lambda).
     */
    public record MergeSpec(String name, String method, List<MergeModel> models, String baseModel,
                            Map<String, Object> parameters, String sweep, Map<String, Object> sweepPoint,
                            Mark mark) {
        public MergeSpec {
            models = List.copyOf(models);
            parameters = Frozen.map(parameters);
            sweepPoint = Frozen.map(sweepPoint);
        }

        /** Datasets of the merged variants, in order of first appearance. */
        public List<String> datasets(StudyConfig study) {
            return models.stream().map(m -> study.variant(m.variant()).dataset()).distinct().toList();
        }
    }

    public record Baselines(boolean variants, boolean ensemble, boolean stacker, boolean linearProbe,
                            boolean fullFinetune) {
    }

    public record Evaluate(List<String> splits, List<String> metrics, Baselines baselines) {
        public Evaluate {
            splits = List.copyOf(splits);
            metrics = List.copyOf(metrics);
        }
    }

    /** {@code kind} local|slurm; {@code options} go to the executor as written (Slurm partition, ...). */
    public record ExecutorSettings(String kind, int parallelism, Map<String, Object> options) {
        public ExecutorSettings {
            options = Frozen.map(options);
        }
    }

    /**
     * A merge-parameter search over the study's variants: {@code config} names variants as its models (and
     * {@code base} or a variant as its base); {@code datasets} are the study datasets of its objective, in order;
     * {@code written} is the section as written (what the search step's id hashes).
     */
    public record StudySearch(io.mergelab.search.SearchConfig config, List<String> datasets,
                              Map<String, Object> written, Mark mark) {
        public StudySearch {
            datasets = List.copyOf(datasets);
            written = Frozen.map(written);
        }
    }

    /** {@code metric}/{@code split}: what the main table shows; {@code plots}: write PNGs. */
    public record ReportSettings(String metric, String split, boolean plots) {
    }
}
