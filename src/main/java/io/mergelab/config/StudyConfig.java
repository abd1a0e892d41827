package io.mergelab.config;

import io.mergelab.yaml.Mark;

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
 * @param compute {@code device} and {@code precision}: where fine-tuning and evaluation compute
 * @param search  the {@code search:} section (merge-parameter search over variants), or null
 */
public record StudyConfig(String name, List<Long> seeds, BaseModel baseModel, List<DatasetRef> datasets,
                          List<Variant> variants, Map<String, Object> trainingArgs, List<MergeSpec> merges,
                          Evaluate evaluate, Map<String, Object> tracking, ExecutorSettings executor,
                          ReportSettings report, Path source, List<String> notes, Compute compute,
                          StudySearch search) {

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

    /**
     * {@code device: auto|cpu|cuda|cuda:N} and {@code precision: fp32|fp16|bf16} (spelling checked here; whether the
     * machine has the device is checked where the step runs). {@code mark} points at the device field.
     */
    public record Compute(String device, String precision, Mark mark) {
        public static final java.util.regex.Pattern DEVICE =
                java.util.regex.Pattern.compile("(?i)auto|cpu|(cuda|gpu)(:\\d+)?");

        /** GPUs a job needs for this device ({@code cuda:N} needs N+1 visible), 0 for auto and cpu. */
        public int gpusNeeded() {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)(?:cuda|gpu)(?::(\\d+))?").matcher(device);
            return !m.matches() ? 0 : m.group(1) == null ? 1 : Integer.parseInt(m.group(1)) + 1;
        }

        /** How messages name the field: {@code device (file:line:col)}. */
        public String where() {
            return "device (" + mark + ")";
        }
    }

    /**
     * The model every variant is fine-tuned from: a factory preset, an existing Hugging Face directory, or a hub id
     * ({@code org/name[@revision]}, found in the Hugging Face cache or downloaded when the step runs), optionally
     * pre-trained as a causal LM first ({@code pretrain} null: used as it is).
     */
    public record BaseModel(String preset, Path path, long seed, Mark mark, String hubId, Pretrain pretrain) {
        public BaseModel(String preset, Path path, long seed, Mark mark, String hubId) {
            this(preset, path, seed, mark, hubId, null);
        }

        public BaseModel(String preset, Path path, long seed, Mark mark) {
            this(preset, path, seed, mark, null, null);
        }

        public BaseModel withPretrain(Pretrain p) {
            return new BaseModel(preset, path, seed, mark, hubId, p);
        }

        public boolean isPreset() {
            return path == null && hubId == null;
        }

        public boolean isHub() {
            return hubId != null;
        }

        public String describe() {
            return isPreset() ? "factory preset " + preset + " (seed " + seed + ")" : isHub() ? hubId : path.toString();
        }
    }

    /**
     * Causal-LM pre-training of the base before fine-tuning ({@code base_model.pretrain}).
     *
     * @param corpus              text files or directories, resolved
     * @param column              text column of TSV/CSV corpus files (null: text, review, ...)
     * @param heldOut             share of documents held out for perplexity
     * @param trainingArgs        pre-training arguments (transformers' names; {@code steps} is max_steps)
     * @param fromScratchBaseline also fine-tune every variant from the random base and report those rows
     */
    /** {@code sampledSoftmax}: negatives of a sampled-softmax loss (see io.mergelab.train.SampledSoftmax), 0 for none. */
    public record Pretrain(List<Path> corpus, String column, double heldOut, Map<String, Object> trainingArgs,
                           int sampledSoftmax, boolean fromScratchBaseline, Mark mark) {
        public Pretrain {
            corpus = List.copyOf(corpus);
            trainingArgs = Frozen.map(trainingArgs);
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
    /**
     * @param mergekit a mergekit recipe block given verbatim ({@code recipe:}), its model references being
     *                 variant names or {@code base}; empty when the merge is described by the other fields
     */
    public record MergeSpec(String name, String method, List<MergeModel> models, String baseModel,
                            Map<String, Object> parameters, String sweep, Map<String, Object> sweepPoint,
                            Mark mark, Map<String, Object> mergekit) {
        public MergeSpec {
            models = List.copyOf(models);
            parameters = Frozen.map(parameters);
            sweepPoint = Frozen.map(sweepPoint);
            mergekit = Frozen.map(mergekit);
        }

        public MergeSpec(String name, String method, List<MergeModel> models, String baseModel,
                         Map<String, Object> parameters, String sweep, Map<String, Object> sweepPoint, Mark mark) {
            this(name, method, models, baseModel, parameters, sweep, sweepPoint, mark, Map.of());
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
    /**
     * @param analysis  run the task-vector analysis of the variants (one step per seed) and show it in the report
     * @param names     display names of models and methods in the tables ({@code ties: TIES-0.5}), over the
     *                  methods' own display names
     * @param decimals  digits after the point in the tables
     * @param bootstrap resamples of the bootstrap intervals and paired tests over test examples
     */
    public record ReportSettings(String metric, String split, boolean plots, boolean analysis,
                                 Map<String, String> names, int decimals, int bootstrap) {
        public static final int DEFAULT_DECIMALS = 3;
        public static final int DEFAULT_BOOTSTRAP = 2000;

        public ReportSettings {
            names = Map.copyOf(names);
        }
    }
}
