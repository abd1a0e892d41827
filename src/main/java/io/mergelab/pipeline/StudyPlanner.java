package io.mergelab.pipeline;

import io.mergelab.yaml.ConfigException;
import io.mergelab.config.StudyConfig;
import io.mergelab.config.StudyConfig.DatasetRef;
import io.mergelab.config.StudyConfig.MergeModel;
import io.mergelab.config.StudyConfig.MergeSpec;
import io.mergelab.config.StudyConfig.Variant;
import io.mergelab.data.DatasetSpec;
import io.mergelab.merge.MethodRegistry;
import io.mergelab.merge.recipe.MergeRecipe;
import io.mergelab.merge.recipe.ParamValue;
import io.mergelab.merge.recipe.RecipeParser;
import io.mergelab.merge.recipe.SourceSpec;
import io.mergelab.pipeline.EvaluateAction.ResultMeta;
import io.mergelab.data.TextCorpus;
import io.mergelab.train.CausalLmPretrainer;
import io.mergelab.train.TrainingArgs;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Expands a study into its DAG: base model → data (per seed) → fine-tune each variant → each merge → evaluate
 * every model on every relevant split → baselines (variants alone, output ensemble, stacker, linear probe,
 * full-data fine-tune) → report. Validates what only the pieces can judge (dataset specs, training arguments,
 * merge methods) before returning, so errors come before any work.
 */
public final class StudyPlanner {
    /**
     * Hashed into every step id and recorded in plan.json: bumped when ids or a step's action change meaning, so
     * old outputs are never reused, and a study folder planned by another version is refused ({@link PlanFile}).
     * 2: ids from the typed action records ({@link NotInStepId}), merges from typed recipes.
     */
    static final int VERSION = 2;

    private final Path tokenizerDir;
    private final Merger merger;
    private final Set<String> mergeMethods;
    /** Loaded once per planner (a ServiceLoader scan), not once per merge step. */
    private final MethodRegistry registry = MethodRegistry.load();

    public StudyPlanner(Path tokenizerDir, Merger merger, Set<String> mergeMethods) {
        this.tokenizerDir = tokenizerDir;
        this.merger = merger;
        this.mergeMethods = Set.copyOf(mergeMethods);
    }

    /** The planner with the merge engine and the methods it registers. */
    public static StudyPlanner standard(Path tokenizerDir) {
        return new StudyPlanner(tokenizerDir, Merger.engine(), MethodRegistry.load().names());
    }

    public Plan plan(StudyConfig study) {
        Map<String, DatasetSpec> specs = new LinkedHashMap<>();
        for (DatasetRef d : study.datasets()) {
            specs.put(d.name(), loadSpec(d));
        }
        for (Variant v : study.variants()) {
            checkArgs(v.trainingArgs(), v.mark(), "variant " + v.name());
        }
        for (MergeSpec m : study.merges()) {
            if (!mergeMethods.contains(m.method())) {
                throw new ConfigException(m.mark(), "merge '" + m.name() + "': method '" + m.method()
                        + "' is not available in this build (available: " + String.join(", ", new java.util.TreeSet<>(mergeMethods)) + ")");
            }
        }
        if (study.search() != null) {
            checkSearch(study);
        }
        return new Builder(study, specs).build();
    }

    /** The search's method, free parameters, layer groups and baselines, judged on the base model's depth. */
    private static void checkSearch(StudyConfig study) {
        StudyConfig.BaseModel b = study.baseModel();
        int layers = b.isPreset() ? io.mergelab.model.gpt2.ModelPreset.parse(b.preset()).nLayer
                : io.mergelab.model.checkpoint.Gpt2Config.read(b.path().resolve("config.json")).nLayer();
        io.mergelab.search.SearchSpace.check(study.search().config(), MethodRegistry.load(), layers,
                "the base model (" + b.describe() + ")", study.search().mark());
    }

    private static DatasetSpec loadSpec(DatasetRef d) {
        try {
            return d.specFile() != null ? DatasetSpec.load(d.specFile())
                    : DatasetSpec.fromMap(new LinkedHashMap<>(d.inline()), d.mark().line() > 0
                            ? Path.of(d.mark().source()) : Path.of("."));
        } catch (RuntimeException e) {
            throw new ConfigException(d.mark(), "dataset '" + d.name() + "': " + e.getMessage(), e);
        }
    }

    private static TrainingArgs checkArgs(Map<String, Object> args, io.mergelab.yaml.Mark mark, String what) {
        try {
            return TrainingArgs.fromMap(args);
        } catch (RuntimeException e) {
            throw new ConfigException(mark, what + ": training_args: " + e.getMessage(), e);
        }
    }

    /** One expansion; keeps the steps made so far. */
    private final class Builder {
        private final StudyConfig study;
        private final Map<String, DatasetSpec> specs;
        private final List<Step> steps = new ArrayList<>();
        private final List<Step> results = new ArrayList<>();
        private final int evalBatch;
        private final int maxLength;

        Builder(StudyConfig study, Map<String, DatasetSpec> specs) {
            this.study = study;
            this.specs = specs;
            this.evalBatch = intArg(study.trainingArgs(), "per_device_eval_batch_size", 32);
            this.maxLength = intArg(study.trainingArgs(), "max_length", 128);
        }

        Plan build() {
            checkBaseModel(study);
            Step base = add(baseStep());
            StudyConfig.Pretrain pretrain = study.baseModel().pretrain();
            Step scratch = null; // the random-init base, when the report compares fine-tuning from it
            if (pretrain != null) {
                scratch = pretrain.fromScratchBaseline() ? base : null;
                base = add(pretrainStep(base, pretrain));
            }
            long firstSeed = study.seeds().get(0);
            for (long seed : study.seeds()) {
                String sfx = study.seeds().size() > 1 ? " (seed " + seed + ")" : "";
                Map<String, Step> data = new LinkedHashMap<>();
                for (DatasetRef d : study.datasets()) {
                    data.put(d.name(), add(dataStep(d, seed, sfx)));
                }
                Map<String, Step> tuned = new LinkedHashMap<>();
                Map<String, Map<String, Step>> variantEvals = new LinkedHashMap<>(); // variant -> split -> eval
                for (Variant v : study.variants()) {
                    Map<String, Object> args = new TreeMap<>(v.trainingArgs());
                    args.put("seed", v.seed() + (seed - firstSeed));
                    Step t = add(finetune("finetune " + v.name() + sfx, base, data.get(v.dataset()),
                            v.sliceIndex(), v.sliceCount(), seed, args));
                    tuned.put(v.name(), t);
                    Map<String, Step> bySplit = new LinkedHashMap<>();
                    for (String split : study.evaluate().splits()) {
                        bySplit.put(split, addResult(evaluate(t, data.get(v.dataset()), null, split,
                                new ResultMeta(v.name(), "variant", "variant", v.dataset(), split, seed, null, Map.of()))));
                    }
                    variantEvals.put(v.name(), bySplit);
                    if (scratch != null) {
                        Step fromScratch = add(finetune("finetune " + v.name() + " from scratch" + sfx, scratch,
                                data.get(v.dataset()), v.sliceIndex(), v.sliceCount(), seed, args));
                        for (String split : study.evaluate().splits()) {
                            addResult(evaluate(fromScratch, data.get(v.dataset()), null, split, new ResultMeta(
                                    v.name() + "_from_scratch", "from_scratch", "from_scratch", v.dataset(), split,
                                    seed, null, Map.of())));
                        }
                    }
                }
                for (MergeSpec m : study.merges()) {
                    mergeSteps(m, base, tuned, data, seed, sfx);
                }
                if (study.search() != null) {
                    searchSteps(study.search(), base, tuned, data, seed, sfx);
                }
                if (study.report().analysis() && tuned.size() >= 2) {
                    results.add(add(analyzeStep(base, tuned, seed, sfx)));
                }
                baselines(base, data, variantEvals, seed, sfx);
            }
            steps.add(reportStep());
            return new Plan(study.name(), steps);
        }

        private Step add(Step s) {
            steps.add(s);
            return s;
        }

        private Step addResult(Step s) {
            steps.add(s);
            results.add(s);
            return s;
        }

        private Step baseStep() {
            StudyConfig.BaseModel b = study.baseModel();
            BaseModelAction.Source source;
            String name;
            if (b.isPreset()) {
                source = new BaseModelAction.Preset(b.preset(), b.seed());
                name = b.preset();
            } else if (b.isHub()) {
                source = new BaseModelAction.Hub(HubBase.check(b));
                name = b.hubId();
            } else {
                source = new BaseModelAction.Directory(b.path(), fingerprint(b.path()));
                name = b.path().getFileName().toString();
            }
            return Step.of("base", "base model " + name, List.of(), Map.of("model", "base"),
                    new BaseModelAction(source, tokenizerDir));
        }

        /** Causal-LM pre-training of {@code init}; keyed by the corpus bytes and the effective arguments. */
        private Step pretrainStep(Step init, StudyConfig.Pretrain p) {
            Map<String, Object> args = new TreeMap<>(p.trainingArgs());
            args.putIfAbsent("seed", study.baseModel().seed());
            TrainingArgs effective;
            try {
                effective = CausalLmPretrainer.arguments(args);
            } catch (RuntimeException e) {
                throw new ConfigException(p.mark(), "base_model.pretrain.training_args: " + e.getMessage(), e);
            }
            List<Path> files;
            try {
                files = TextCorpus.files(p.corpus());
            } catch (RuntimeException e) {
                throw new ConfigException(p.mark(), "base_model.pretrain.corpus: " + e.getMessage(), e);
            }
            return Step.of("pretrain", "pre-train base on " + files.size() + " corpus file(s)", List.of(init),
                    Map.of("model", "base", "dataset", "corpus"), new PretrainAction(init.id(),
                            files.stream().map(InputFile::of).toList(), p.column(), p.heldOut(), effective,
                            p.sampledSoftmax()));
        }

        private Step dataStep(DatasetRef d, long seed, String sfx) {
            DatasetSpec spec = specs.get(d.name());
            boolean file = d.specFile() != null;
            return Step.of("data", "data " + d.name() + sfx, List.of(), Map.of("dataset", d.name(), "seed", seed),
                    new DataAction(spec, file ? InputFile.of(d.specFile()) : null, file ? null : d.inline(),
                            InputFile.orNull(spec.dataFile()), InputFile.orNull(spec.validationFile()),
                            InputFile.orNull(spec.testFile()), seed, tokenizerDir));
        }

        private Step finetune(String label, Step base, Step data, int sliceIndex, int sliceCount, long dataSeed,
                              Map<String, Object> args) {
            TrainingArgs parsed = checkArgs(args, study.variants().get(0).mark(), label);
            return Step.of("finetune", label, List.of(base, data), Map.of(), new FinetuneAction(base.id(), data.id(),
                    sliceIndex, sliceCount, dataSeed, parsed, study.compute()));
        }

        private Step evaluate(Step model, Step data, Step head, String split, ResultMeta meta) {
            List<Step> deps = head == null ? List.of(model, data) : List.of(model, data, head);
            return Step.of("evaluate", "evaluate " + meta.model() + " on " + meta.dataset() + "/" + split
                            + (study.seeds().size() > 1 ? " (seed " + meta.seed() + ")" : ""), deps, metaMap(meta),
                    new EvaluateAction(model.id(), data.id(), head == null ? null : head.id(), split, meta, evalBatch,
                            maxLength, study.compute()));
        }

        private void mergeSteps(MergeSpec m, Step base, Map<String, Step> tuned, Map<String, Step> data, long seed,
                                String sfx) {
            List<Step> deps = new ArrayList<>();
            // a method that requires each model's weight gets equal ones when the study gives none (as the seed study)
            boolean weighted = registry.get(m.method()).parameters().stream()
                    .anyMatch(p -> p.name().equals("weight") && p.perModel() && p.required());
            boolean anyWeight = m.parameters().containsKey("weight")
                    || m.models().stream().anyMatch(x -> x.parameters().containsKey("weight"));
            boolean equalWeights = weighted && !anyWeight && m.mergekit().isEmpty();
            Step baseStep = m.baseModel() == null ? null
                    : m.baseModel().equals("base") ? base : tuned.get(m.baseModel());
            MergeRecipe recipe;
            if (m.mergekit().isEmpty()) {
                List<SourceSpec> sources = new ArrayList<>();
                for (MergeModel mm : m.models()) {
                    Map<String, Object> p = new TreeMap<>(mm.parameters());
                    if (equalWeights) {
                        p.put("weight", 1.0 / m.models().size()); // mergekit needs one; equal weights, as the seed study
                    }
                    Step t = tuned.get(mm.variant());
                    sources.add(new SourceSpec(t.id(), Optional.empty(), paramValues(p, m)));
                    deps.add(t);
                }
                if (baseStep != null) {
                    deps.add(baseStep);
                }
                recipe = MergeRecipe.of(m.method(), Optional.ofNullable(baseStep).map(Step::id), sources,
                        paramValues(m.parameters(), m), Optional.of("float32"));
            } else {
                // a verbatim mergekit block, read by the engine's own parser; its references become step ids here
                // and checkpoint paths when the step runs
                Map<String, String> refs = new TreeMap<>();
                m.models().forEach(mm -> {
                    refs.put(mm.variant(), tuned.get(mm.variant()).id());
                    deps.add(tuned.get(mm.variant()));
                });
                if (baseStep != null) {
                    refs.put(m.baseModel(), baseStep.id());
                    deps.add(baseStep);
                }
                if (!refs.containsKey("base")) { // `base` may also be listed among a block's sources
                    refs.put("base", base.id());
                    deps.add(base);
                }
                recipe = verbatimRecipe(m).withModelRefs(r -> refs.getOrDefault(r, r));
            }
            Step merge = add(Step.of("merge", "merge " + m.name() + sfx, deps, Map.of("model", m.name()),
                    new MergeAction(recipe, seed, merger)));
            List<String> datasets = m.datasets(study);
            Map<String, Double> params = new TreeMap<>(mergeParams(m));
            if (equalWeights) {
                params.put("weight", 1.0 / m.models().size()); // the equal weights filled in above, in the report too
            }
            for (String ds : datasets) {
                Step head = null;
                if (datasets.size() > 1) {
                    String first = m.models().stream().map(MergeModel::variant)
                            .filter(v -> study.variant(v).dataset().equals(ds)).findFirst().orElseThrow();
                    head = tuned.get(first);
                }
                for (String split : study.evaluate().splits()) {
                    addResult(evaluate(merge, data.get(ds), head, split, new ResultMeta(m.name(), "merge", m.method(),
                            ds, split, seed, m.sweep(), params)));
                }
            }
        }

        /** The search after the fine-tunes it merges; its best model is evaluated like a merge (report role "merge"). */
        private void searchSteps(StudyConfig.StudySearch search, Step base, Map<String, Step> tuned,
                                 Map<String, Step> data, long seed, String sfx) {
            io.mergelab.search.SearchConfig c = search.config();
            Map<String, String> modelSteps = new LinkedHashMap<>();
            List<Step> deps = new ArrayList<>();
            c.merge().models().keySet().forEach(n -> modelSteps.put(n, tuned.get(n).id()));
            c.merge().baseModel().map(b -> b.getFileName().toString())
                    .ifPresent(n -> modelSteps.put(n, n.equals("base") ? base.id() : tuned.get(n).id()));
            modelSteps.values().forEach(id -> deps.add(steps.stream().filter(s -> s.id().equals(id)).findFirst()
                    .orElseThrow()));
            List<String> dataSteps = search.datasets().stream().map(d -> data.get(d).id()).toList();
            search.datasets().forEach(d -> deps.add(data.get(d)));
            Step step = add(Step.of("search", "search " + c.name() + sfx, deps,
                    Map.of("model", c.name(), "method", c.merge().method()),
                    new SearchAction(search.written(), modelSteps, dataSteps, c, study, search.mark())));
            List<String> datasets = c.merge().models().keySet().stream().map(v -> study.variant(v).dataset())
                    .distinct().toList();
            for (String ds : datasets) {
                Step head = null;
                if (datasets.size() > 1) {
                    head = tuned.get(c.merge().models().keySet().stream()
                            .filter(v -> study.variant(v).dataset().equals(ds)).findFirst().orElseThrow());
                }
                for (String split : study.evaluate().splits()) {
                    addResult(evaluate(step, data.get(ds), head, split, new ResultMeta(c.name(), "merge",
                            c.merge().method(), ds, split, seed, null, Map.of())));
                }
            }
        }

        /**
         * The task-vector analysis of this seed's variants against the base (report.analysis), trimmed and dropped
         * at the densities the study's merges use (the analyzer's defaults when none has one).
         */
        private Step analyzeStep(Step base, Map<String, Step> tuned, long seed, String sfx) {
            List<AnalyzeAction.Variant> variants = new ArrayList<>();
            tuned.forEach((name, step) -> variants.add(new AnalyzeAction.Variant(name, step.id())));
            List<AnalyzeAction.MergeRef> merges = new ArrayList<>();
            java.util.TreeSet<Double> densities = new java.util.TreeSet<>();
            for (MergeSpec m : study.merges()) {
                Double density = mergeParams(m).get("density");
                if (density == null) {
                    density = m.models().stream().map(x -> x.parameters().get("density"))
                            .filter(d -> d instanceof Number).map(d -> ((Number) d).doubleValue()).findFirst()
                            .orElse(null);
                }
                if (density != null && density > 0 && density <= 1) {
                    densities.add(density);
                }
                merges.add(new AnalyzeAction.MergeRef(m.name(), m.method(),
                        m.models().stream().map(MergeModel::variant).toList(), density));
            }
            List<Double> levels = densities.isEmpty() ? null : List.copyOf(densities);
            io.mergelab.merge.analysis.AnalysisSettings settings = new io.mergelab.merge.analysis.AnalysisSettings(
                    levels != null ? levels : io.mergelab.merge.analysis.AnalysisSettings.DEFAULT_TIES_DENSITIES,
                    io.mergelab.merge.analysis.AnalysisSettings.DEFAULT_TOP_K,
                    levels != null ? levels : io.mergelab.merge.analysis.AnalysisSettings.DEFAULT_DARE_DENSITIES,
                    seed);
            List<Step> deps = new ArrayList<>();
            deps.add(base);
            deps.addAll(tuned.values());
            return Step.of("analyze", "analyze task vectors" + sfx, deps, Map.of("seed", seed),
                    new AnalyzeAction(base.id(), variants, merges, seed, settings));
        }

        private Map<String, Double> mergeParams(MergeSpec m) {
            Map<String, Double> out = new TreeMap<>();
            m.parameters().forEach((k, v) -> {
                if (v instanceof Number n) {
                    out.put(k, n.doubleValue());
                }
            });
            if (m.sweepPoint().get("weight") instanceof Number w) {
                out.put("weight", w.doubleValue());
            } else {
                m.models().stream().map(x -> x.parameters().get("weight")).filter(w -> w instanceof Number)
                        .findFirst().ifPresent(w -> out.put("weight", ((Number) w).doubleValue()));
            }
            return out;
        }

        private void baselines(Step base, Map<String, Step> data, Map<String, Map<String, Step>> variantEvals,
                               long seed, String sfx) {
            StudyConfig.Baselines b = study.evaluate().baselines();
            for (DatasetRef d : study.datasets()) {
                List<String> members = study.variants().stream().filter(v -> v.dataset().equals(d.name()))
                        .map(Variant::name).toList();
                List<String> labels = specs.get(d.name()).labels();
                if (members.size() >= 2) {
                    for (String split : study.evaluate().splits()) {
                        List<Step> evals = members.stream().map(v -> variantEvals.get(v).get(split)).toList();
                        if (b.ensemble()) {
                            addResult(ensemble("ensemble", evals, List.of(), labels, d.name(), split, seed));
                        }
                        if (b.stacker() && !split.equals("validation")) {
                            List<Step> val = members.stream().map(v -> variantEvals.get(v).get("validation")).toList();
                            addResult(ensemble("stacker", evals, val, labels, d.name(), split, seed));
                        }
                    }
                }
                Map<String, Object> args = new TreeMap<>(study.trainingArgs());
                args.put("seed", seed);
                if (b.linearProbe()) {
                    Map<String, Object> probe = new TreeMap<>(args);
                    probe.put("freeze", "backbone");
                    Step t = add(finetune("linear probe " + d.name() + sfx, base, data.get(d.name()), 0, 0, seed, probe));
                    for (String split : study.evaluate().splits()) {
                        addResult(evaluate(t, data.get(d.name()), null, split, new ResultMeta("linear_probe",
                                "linear_probe", "linear_probe", d.name(), split, seed, null, Map.of())));
                    }
                }
                if (b.fullFinetune()) {
                    Step t = add(finetune("full-data fine-tune " + d.name() + sfx, base, data.get(d.name()), 0, 0,
                            seed, args));
                    for (String split : study.evaluate().splits()) {
                        addResult(evaluate(t, data.get(d.name()), null, split, new ResultMeta("full_finetune",
                                "full_finetune", "full_finetune", d.name(), split, seed, null, Map.of())));
                    }
                }
            }
        }

        private Step ensemble(String kind, List<Step> evals, List<Step> validation, List<String> labels, String ds,
                              String split, long seed) {
            ResultMeta meta = new ResultMeta(kind, kind, kind, ds, split, seed, null, Map.of());
            List<Step> deps = new ArrayList<>(evals);
            deps.addAll(validation);
            return Step.of(kind, kind + " on " + ds + "/" + split + (study.seeds().size() > 1 ? " (seed " + seed + ")" : ""),
                    deps, metaMap(meta), new EnsembleAction(evals.stream().map(Step::id).toList(),
                            validation.stream().map(Step::id).toList(), labels, meta));
        }

        private Step reportStep() {
            String note = randomBaseNote(study.baseModel());
            // the methods' display names, under the study's own
            Map<String, String> names = new TreeMap<>(registry.displayNames());
            names.putAll(study.report().names());
            Map<String, Object> meta = new TreeMap<>();
            meta.put("metric", study.report().metric());
            meta.put("split", study.report().split());
            meta.put("plots", study.report().plots());
            if (note != null) {
                meta.put("note", note);
            }
            meta.put("decimals", study.report().decimals());
            meta.put("bootstrap", study.report().bootstrap());
            return Step.of("report", "report", results, meta, new ReportAction(new io.mergelab.report.StudyReport
                    .Settings(study.report().metric(), study.report().split(), study.report().plots(), note, names,
                    study.report().decimals(), study.report().bootstrap())));
        }

        /** A factory base that is not pre-trained is random weights: the report says so, as it changes the reading. */
        private static String randomBaseNote(StudyConfig.BaseModel b) {
            if (!b.isPreset() || b.pretrain() != null) {
                return null;
            }
            return "Base model: the factory's `" + b.preset() + "` GPT-2 (seed " + b.seed() + ") with random weights, "
                    + "not pre-trained: the variants share no pre-trained features, so these merges test the "
                    + "mechanics rather than the regime merge papers study; set `base_model.pretrain` to pre-train "
                    + "the base first, as configs/quickstart_pretrained.yaml does.";
        }

        private static Map<String, Object> metaMap(ResultMeta m) {
            Map<String, Object> out = new TreeMap<>();
            out.put("model", m.model());
            out.put("role", m.role());
            out.put("method", m.method());
            out.put("dataset", m.dataset());
            out.put("split", m.split());
            out.put("seed", m.seed());
            if (m.sweep() != null) {
                out.put("sweep", m.sweep());
            }
            out.put("params", m.params());
            return out;
        }
    }

    /**
     * A study merge's parameters as the recipe parser reads them (pydantic's coercion: numbers and booleans are
     * floats, a list of numbers a gradient, a list of {filter, value} conditionals).
     */
    static Map<String, ParamValue> paramValues(Map<String, Object> params, MergeSpec m) {
        Map<String, ParamValue> out = new TreeMap<>();
        params.forEach((k, v) -> {
            try {
                out.put(k, paramValue(v));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(m.mark(), "merges[" + m.name() + "].parameters." + k + ": " + e.getMessage());
            }
        });
        return out;
    }

    private static ParamValue paramValue(Object v) {
        if (v instanceof Number n) {
            return new ParamValue.Scalar(n.doubleValue());
        }
        if (v instanceof Boolean b) {
            return new ParamValue.Scalar(b ? 1 : 0);
        }
        if (v instanceof String s) {
            try {
                return new ParamValue.Scalar(Double.parseDouble(s.strip()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("expected a number, got '" + s + "'");
            }
        }
        if (v instanceof List<?> l && !l.isEmpty() && l.stream().allMatch(x -> x instanceof Number)) {
            return new ParamValue.Gradient(l.stream().mapToDouble(x -> ((Number) x).doubleValue()).toArray());
        }
        if (v instanceof List<?> l && !l.isEmpty() && l.stream().allMatch(x -> x instanceof Map<?, ?>)) {
            List<ParamValue.Conditional> conds = new ArrayList<>();
            for (Object x : l) {
                Map<?, ?> c = (Map<?, ?>) x;
                conds.add(new ParamValue.Conditional(c.get("filter") == null ? null : String.valueOf(c.get("filter")),
                        paramValue(c.get("value"))));
            }
            return new ParamValue.Conditionals(conds);
        }
        throw new IllegalArgumentException("expected a number, a list of numbers or a list of {filter, value}, got "
                + v);
    }

    /** A verbatim mergekit block, typed by the engine's parser (which checked it when the config was loaded). */
    private static MergeRecipe verbatimRecipe(MergeSpec m) {
        org.yaml.snakeyaml.DumperOptions o = new org.yaml.snakeyaml.DumperOptions();
        o.setDefaultFlowStyle(org.yaml.snakeyaml.DumperOptions.FlowStyle.BLOCK);
        return RecipeParser.parseStages(Path.of(m.mark().source()), new org.yaml.snakeyaml.Yaml(o)
                .dump(new LinkedHashMap<>(m.mergekit()))).get(0);
    }

    /**
     * What can be known of the base before any work: a base_model.path must be a loadable GPT-2 checkpoint (weights
     * present, safetensors readable, shapes a GPT-2's), and no max_length may exceed its n_positions.
     */
    private void checkBaseModel(StudyConfig study) {
        StudyConfig.BaseModel b = study.baseModel();
        int nPositions;
        if (b.isPreset()) {
            nPositions = io.mergelab.model.gpt2.ModelPreset.parse(b.preset()).nPositions;
        } else if (b.path() != null) {
            try {
                io.mergelab.model.checkpoint.CheckpointDir dir = io.mergelab.model.checkpoint.CheckpointDir.open(b.path());
                dir.validateGpt2Shapes();
                nPositions = dir.config().nPositions();
            } catch (RuntimeException e) {
                throw new ConfigException(b.mark(), "base_model: " + b.path() + " is not a usable GPT-2 checkpoint: "
                        + LocalExecutor.oneLine(e));
            }
        } else {
            return; // a hub id: resolved (and checked) by its step
        }
        List<Map.Entry<String, Map<String, Object>>> args = new ArrayList<>();
        args.add(Map.entry("training_args", study.trainingArgs()));
        for (Variant v : study.variants()) {
            Map<String, Object> merged = new TreeMap<>(study.trainingArgs());
            merged.putAll(v.trainingArgs());
            args.add(Map.entry("variant '" + v.name() + "' training_args", merged));
        }
        if (b.pretrain() != null) {
            Map<String, Object> pre = new TreeMap<>(CausalLmPretrainer.DEFAULTS); // validated with the pretrain step
            pre.putAll(b.pretrain().trainingArgs());
            args.add(Map.entry("base_model.pretrain.training_args", pre));
        }
        for (Map.Entry<String, Map<String, Object>> e : args) {
            int maxLength = intArg(e.getValue(), "max_length", 128);
            if (maxLength > nPositions) {
                throw new ConfigException(b.mark(), e.getKey() + ".max_length " + maxLength + " exceeds the base "
                        + "model's n_positions " + nPositions + ": sequences that long cannot be embedded; set "
                        + "max_length to at most " + nPositions);
            }
        }
    }

    private static int intArg(Map<String, Object> args, String key, int fallback) {
        return args.get(key) instanceof Number n ? n.intValue() : fallback;
    }

    /** SHA-256 of a file's bytes: data and spec changes give new step ids. */
    static String hashFile(Path p) {
        try (InputStream in = new DigestInputStream(Files.newInputStream(p), MessageDigest.getInstance("SHA-256"))) {
            MessageDigest md = ((DigestInputStream) in).getMessageDigest();
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException | java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot read " + p + ": " + e.getMessage(), e);
        }
    }

    /** Names, sizes and modification times of a model directory's files: cheap, and changes when weights do. */
    static String fingerprint(Path dir) {
        try (var s = Files.list(dir)) {
            StringBuilder sb = new StringBuilder();
            for (Path f : s.sorted().toList()) {
                if (Files.isRegularFile(f)) {
                    sb.append(f.getFileName()).append(':').append(Files.size(f)).append(':')
                            .append(Files.getLastModifiedTime(f).toMillis()).append('\n');
                }
            }
            return Canonical.sha256(sb.toString()).substring(0, 16);
        } catch (IOException e) {
            throw new IllegalStateException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }
}
