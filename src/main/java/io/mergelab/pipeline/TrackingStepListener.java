package io.mergelab.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import io.mergelab.config.StudyConfig;
import io.mergelab.track.DatasetInput;
import io.mergelab.track.MlflowTracker;
import io.mergelab.track.RunSpec;
import io.mergelab.track.RunStatus;
import io.mergelab.track.RunTags;
import io.mergelab.track.TrackedRun;
import io.mergelab.track.Tracker;
import io.mergelab.train.MetricsSink;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Records a study execution in MLflow: one experiment per study, one parent run per study (reused when the
 * study is resumed or rerun), and a child run per fine-tune, merge, evaluation and baseline step that actually
 * runs (steps already done are not touched, so a rerun creates no runs). A resumed step reuses its run: the
 * tracker finds it by its {@code step_id} tag.
 *
 * <p>There is no live hook into the trainer: a fine-tune's loss / learning rate / grad norm per logging step
 * and its validation metrics per epoch are read from {@code training_state.json} when the step has finished.
 * Journals (and the small files uploaded as artifacts) live in {@code outputs/<study>/tracking/<step-id>/},
 * outside the step folders, which are replaced on commit.
 *
 * <p>With the Slurm executor the submitting process records the steps as their jobs finish; the jobs
 * ({@code run --only STEP} with {@code SLURM_JOB_ID} set) record nothing, so nothing is logged twice.
 *
 * <p>Tracking never fails a step: errors are printed as one line and the run goes on. All tracker calls are
 * serialised (steps finish on worker threads; the tracker is not thread-safe).
 */
public final class TrackingStepListener implements StepListener {
    static final String DIR = "tracking";

    private final Tracker tracker;
    private final StudyConfig study;
    private final TrackingSettings settings;
    private final Path studyDir;
    private final Map<String, String> commonTags;
    private final PrintStream log;
    /** The study config as read (extends and --set applied), or null when it could not be rebuilt. */
    private final String resolvedConfig;
    private final List<String> overrides;
    private final Map<String, TrackedRun> running = new HashMap<>();
    /** Steps whose history reached their run while they trained. */
    private final Set<String> liveSteps = new HashSet<>();
    private TrackedRun parent;
    private TrackedStepNames names;
    private int tracked;

    TrackingStepListener(Tracker tracker, StudyConfig study, TrackingSettings settings, Path studyDir,
                         Map<String, String> commonTags, PrintStream log, String resolvedConfig,
                         List<String> overrides) {
        this.resolvedConfig = resolvedConfig;
        this.overrides = List.copyOf(overrides);
        this.tracker = tracker;
        this.study = study;
        this.settings = settings;
        this.studyDir = studyDir.toAbsolutePath().normalize();
        this.commonTags = Map.copyOf(commonTags);
        this.log = log;
    }

    /**
     * The listener for {@code study} as configured ({@link TrackingSettings}); {@code executorKind} is the
     * executor in use (tag), {@code home} the mergelab installation, whose git commit (when it is a checkout)
     * tags every run; {@code SLURM_JOB_ID} in {@code env} tags the runs of a cluster job; {@code overrides} are
     * the run's {@code --set} values (the study run lists them and records the config they resolve to).
     */
    public static StepListener forStudy(StudyConfig study, String executorKind, Path studyDir, Path home,
                                        Map<String, String> env, PrintStream log, List<String> overrides) {
        TrackingSettings settings = TrackingSettings.resolve(study, env);
        if (!settings.enabled()) {
            return new StepListener() { };
        }
        Tracker tracker = settings.endpoint().<Tracker>map(e -> new MlflowTracker(e, log))
                // journal-only: one summary line at the end instead of one per run
                .orElseGet(() -> MlflowTracker.journalOnly(new PrintStream(OutputStream.nullOutputStream())));
        Map<String, String> tags = new LinkedHashMap<>();
        gitCommit(home).ifPresent(c -> tags.put(RunTags.GIT_COMMIT, c));
        tags.put(RunTags.EXECUTOR, executorKind);
        String job = env.get("SLURM_JOB_ID");
        if (job != null && !job.isBlank()) {
            tags.put(RunTags.SLURM_JOB_ID, job);
        }
        // who ran it and from what, where MLflow's UI shows them (the runs table's User and Source columns)
        tags.put(RunTags.USER, env.getOrDefault("USER", System.getProperty("user.name", "unknown")));
        if (study.source() != null) {
            tags.put(RunTags.SOURCE_NAME, study.source().toString());
        }
        tags.put(RunTags.SOURCE_TYPE, job != null && !job.isBlank() ? "JOB" : "LOCAL");
        String resolved = null;
        if (study.source() != null && Files.isRegularFile(study.source())) {
            try {
                resolved = io.mergelab.config.ResolvedConfig.yaml(home, env, study.source(), overrides);
            } catch (RuntimeException e) {
                log.println("mergelab: tracking: the resolved config is not recorded: " + LocalExecutor.oneLine(e));
            }
        }
        return new TrackingStepListener(tracker, study, settings, studyDir, tags, log, resolved, overrides);
    }

    @Override
    public synchronized void planned(Plan plan, Set<String> done) {
        names = new TrackedStepNames(plan);
        if (done.containsAll(plan.steps().stream().map(Step::id).toList())) {
            return; // nothing will run: leave the runs as they are
        }
        if (clusterTask() && plan.steps().size() - done.size() == 1) {
            return; // one step of a Slurm study, run by its job: the submitting process tracks it
        }
        guard("study run", () -> {
            RunSpec spec = new RunSpec(settings.experiment(), "study-" + study.name(), study.name(),
                    dir("study-" + study.name()), commonTags)
                    .withConfigHash(Canonical.hash("study", Map.of(), plan.steps().stream().map(Step::id).sorted().toList()))
                    .withTag("steps", Integer.toString(plan.steps().size()));
            parent = tracker.startStudy(spec);
            Map<String, Object> params = new LinkedHashMap<>();
            params.put("study", study.name());
            params.put("seeds", study.seeds());
            params.put("base_model", study.baseModel().describe());
            params.put("datasets", study.datasets().stream().map(StudyConfig.DatasetRef::name).toList());
            params.put("variants", study.variants().stream().map(StudyConfig.Variant::name).toList());
            params.put("merges", study.merges().stream().map(StudyConfig.MergeSpec::name).toList());
            params.put("training_args", new TreeMap<>(study.trainingArgs()));
            params.put("executor.kind", study.executor().kind());
            params.put("report.metric", study.report().metric());
            params.put("report.split", study.report().split());
            params.put("overrides", overrides.isEmpty() ? "none" : String.join(" ", overrides));
            parent.logParams(params);
            if (study.source() != null && Files.isRegularFile(study.source())) {
                parent.logArtifact(study.source(), "config");
            }
            if (resolvedConfig != null) { // beside the file as written: what the run actually used
                Path resolved = dir("study-" + study.name()).resolve("resolved.yaml");
                StepStore.writeAtomically(resolved, resolvedConfig);
                parent.logArtifact(resolved, "config");
            }
            Path planFile = studyDir.resolve(StepStore.PLAN);
            if (Files.isRegularFile(planFile)) {
                parent.logArtifact(planFile, "config");
            }
        });
    }

    @Override
    public synchronized void started(Step step) {
        if (parent == null || !TrackedStepNames.tracked(step)) {
            return;
        }
        guard(step.label(), () -> {
            RunSpec spec = new RunSpec(settings.experiment(), step.id(), names.runName(step), dir(step.id()),
                    commonTags)
                    .withConfigHash(step.id().substring(step.id().lastIndexOf('-') + 1))
                    .withMethod(names.method(step))
                    .withDataset(names.dataset(step))
                    .withTag("model", names.model(step))
                    .withTag("kind", step.kind())
                    .withTag("label", step.label())
                    .withTag("split", step.meta().get("split") == null ? null : step.meta().get("split").toString());
            TrackedRun run = tracker.startStep(parent, spec);
            running.put(step.id(), run);
            tracked++;
            // what the step id hashes (a fine-tune's training_args are their effective values, defaults included,
            // as transformers' MLflow callback logs them); a merge's recipe in the names people know
            Map<String, Object> params = step.action() instanceof MergeAction a ? mergeParams(step, a)
                    : new LinkedHashMap<>(step.inputs());
            run.logParams(params);
            if (step.kind().equals("merge")) {
                resetHeapPeaks();
            }
        });
    }

    /**
     * A merge's MLflow params: method, base step, global parameters ({@code parameters.density}), the merged
     * variants by name and each one's parameters under its name ({@code merge.yelp_0.weight}), not the step ids.
     */
    private Map<String, Object> mergeParams(Step step, MergeAction a) {
        io.mergelab.merge.recipe.MergeRecipe r = a.recipe();
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("method", r.mergeMethod());
        r.baseModel().ifPresent(b -> params.put("base", b));
        Map<String, Object> global = new TreeMap<>();
        r.parameters().forEach((k, v) -> global.put(k, io.mergelab.merge.recipe.RecipeYaml.plain(v)));
        if (!global.isEmpty()) {
            params.put("parameters", global);
        }
        params.put("merge.models", names.mergedModels(step));
        for (io.mergelab.merge.recipe.SourceSpec m : r.models()) {
            if (names.plan().contains(m.model())) {
                String v = names.model(names.plan().step(m.model()));
                m.parameters().forEach((k, x) -> params.put("merge." + v + "." + k,
                        io.mergelab.merge.recipe.RecipeYaml.plain(x)));
            }
        }
        if (r.usesSlices()) {
            params.put("slices", r.slices().size());
        }
        r.dtype().ifPresent(d -> params.put("dtype", d));
        params.put("seed", a.seed());
        return params;
    }

    @Override
    public synchronized void finished(Step step, Path outputDir, Duration took) {
        if (step.kind().equals("report") && parent != null) {
            guard("report", () -> parent.logArtifacts(outputDir.getParent().resolve("report"), "report"));
            return;
        }
        if (step.kind().equals("analyze") && parent != null) { // its tables and heatmaps go with the report
            guard(step.label(), () -> parent.logMetrics(analysisMetrics(outputDir),
                    ((Number) step.meta().getOrDefault("seed", 0L)).longValue()));
            return;
        }
        TrackedRun run = running.remove(step.id());
        if (run == null) {
            return;
        }
        guard(step.label(), () -> {
            try {
                Map<String, Double> finals = new TreeMap<>();
                switch (step.kind()) {
                    case "finetune" -> {
                        finetune(run, step, outputDir.resolve("model"), finals);
                        model(run, outputDir.resolve("model"), settings.uploadModelsMb());
                        run.logInputs(datasets(step, false));
                    }
                    case "pretrain" -> finetune(run, step, ModelOutputs.modelDir(outputDir), finals);
                    case "merge" -> {
                        merge(run, outputDir, took, finals);
                        model(run, outputDir.resolve("model"), settings.uploadModelsMb());
                    }
                    default -> {
                        evaluation(run, step, outputDir, finals);
                        run.logInputs(datasets(step, true));
                    }
                }
                run.logMetrics(finals, 0);
                Path dir = dir(step.id());
                StepStore.writeAtomically(dir.resolve("metrics.json"),
                        Canonical.json().writerWithDefaultPrettyPrinter().writeValueAsString(finals));
                StepStore.writeAtomically(dir.resolve("config.yaml"), stepYaml(step));
                run.logArtifact(dir.resolve("config.yaml"), "");
                run.logArtifact(dir.resolve("metrics.json"), "");
                run.setTag("output_dir", outputDir.toString());
                run.end(RunStatus.FINISHED);
            } catch (IOException | RuntimeException e) {
                run.end(RunStatus.FAILED);
                throw e;
            }
        });
    }

    @Override
    public synchronized void failed(Step step, Throwable error) {
        TrackedRun run = running.remove(step.id());
        if (run != null) {
            guard(step.label(), () -> {
                run.setTag("error", LocalExecutor.oneLine(error));
                run.end(RunStatus.FAILED);
            });
        }
    }

    @Override
    public synchronized void runFinished(RunSummary summary) {
        try {
            if (parent != null) {
                guard("study run", () -> {
                    parent.logMetrics(Map.of("steps_ran", summary.ran().size(), "steps_skipped",
                            summary.skipped().size(), "steps_failed", summary.failures().size(),
                            "steps_not_run", summary.blocked().size()), 0);
                    parent.end(summary.ok() ? RunStatus.FINISHED : RunStatus.FAILED);
                });
                if (settings.endpoint().isEmpty()) {
                    log.println("mergelab: tracking: no MLflow server set (tracking.uri or MLFLOW_TRACKING_URI); "
                            + (tracked + 1) + " runs journaled under " + studyDir.resolve(DIR)
                            + "; send them with: bin/mergelab sync " + studyDir + " --tracking-uri URI");
                }
            }
        } finally {
            tracker.close();
        }
    }

    /**
     * A training step's history goes to its run as the trainer logs it (transformers' MLflow callback does the
     * same); a step that never logs live (finished before a kill hit its commit, or run by a Slurm job while this
     * process tracks) has its history replayed from training_state.json when it finishes.
     */
    @Override
    public synchronized MetricsSink liveMetrics(Step step) {
        TrackedRun run = running.get(step.id());
        if (run == null || !(step.kind().equals("finetune") || step.kind().equals("pretrain"))) {
            return null;
        }
        String ds = names.dataset(step);
        return (at, values) -> {
            Map<String, Double> m = metricNames(values, ds);
            if (!m.isEmpty()) {
                synchronized (this) {
                    liveSteps.add(step.id());
                    guard(step.label(), () -> run.logMetrics(m, at));
                }
            }
        };
    }

    /**
     * MLflow names of a history entry's numbers: train.* for training, validation.* for eval_* (the run's dataset
     * tag says which; one name per quantity, so one UI column compares the variants).
     */
    private static Map<String, Double> metricNames(Map<String, Double> entry, String ds) {
        Map<String, Double> m = new LinkedHashMap<>();
        entry.forEach((k, v) -> {
            if (k.equals("step")) {
                return;
            }
            if (k.startsWith("eval_")) {
                m.put("validation." + k.substring(5), v);
            } else if (!k.equals("epoch") || entry.containsKey("loss")) {
                m.put(switch (k) {
                    case "epoch_train_seconds" -> "train.epoch_seconds";
                    case "epoch_tokens_per_second" -> "train.tokens_per_second";
                    default -> "train." + k;
                }, v);
            }
        });
        return m;
    }

    /** The training curve, unless it went to the run live, and the trainer's state file as an artifact. */
    private void finetune(TrackedRun run, Step step, Path model, Map<String, Double> finals) throws IOException {
        String ds = names.dataset(step);
        Path state = model.resolve("training_state.json");
        if (Files.isRegularFile(state)) {
            if (!liveSteps.remove(step.id())) {
                for (JsonNode e : Canonical.json().readTree(state.toFile()).path("log_history")) {
                    Map<String, Double> entry = new LinkedHashMap<>();
                    e.properties().forEach(f -> {
                        if (f.getValue().isNumber()) {
                            entry.put(f.getKey(), f.getValue().asDouble());
                        }
                    });
                    Map<String, Double> m = metricNames(entry, ds);
                    if (!m.isEmpty()) {
                        run.logMetrics(m, e.path("step").asLong());
                    }
                }
            }
            run.logArtifact(state, "");
        }
        Path metrics = model.resolve("metrics.json");
        if (Files.isRegularFile(metrics)) {
            Canonical.json().readTree(metrics.toFile()).properties().forEach(f -> {
                if (f.getValue().isNumber()) {
                    finals.put(f.getKey(), f.getValue().asDouble());
                }
            });
            run.logArtifact(metrics, "trainer");
        }
    }

    private void merge(TrackedRun run, Path outputDir, Duration took, Map<String, Double> finals) {
        finals.put("merge.seconds", took.toMillis() / 1000.0);
        if (!commonTags.get(RunTags.EXECUTOR).equals("slurm")) { // else the merge ran in another process
            // process-wide (other steps running at the same time count too): exact with parallelism 1
            finals.put("merge.jvm_heap_peak_mb", heapPeakBytes() / (1024.0 * 1024.0));
        }
        // the recipe as the engine wrote it beside the weights (model paths resolved), logged at the run's root
        Path recipe = outputDir.resolve("model").resolve(io.mergelab.merge.MergeOutputs.RECIPE_COPY);
        if (Files.isRegularFile(recipe)) {
            run.logArtifact(recipe, "");
        }
    }

    /**
     * Evaluations and baselines: one name per quantity ({@code accuracy}, {@code f1_macro}, ...; the run's
     * {@code dataset} and {@code split} tags say on what), so one UI column compares every model; the study run
     * holds them all as {@code <model>.<split>.<dataset>.<metric>}.
     */
    private void evaluation(TrackedRun run, Step step, Path outputDir, Map<String, Double> finals)
            throws IOException {
        Path result = outputDir.resolve("result.json");
        if (!Files.isRegularFile(result)) {
            return;
        }
        JsonNode r = Canonical.json().readTree(result.toFile());
        String prefix = r.path("split").asText() + "." + r.path("dataset").asText() + ".";
        r.path("metrics").properties().forEach(f -> {
            if (f.getValue().isNumber()) {
                finals.put(f.getKey(), f.getValue().asDouble());
            }
        });
        run.logArtifact(result, "");
        Path plotDir = Files.createTempDirectory("mergelab-confusion");
        try {
            run.logArtifact(io.mergelab.report.ConfusionPlot.write(io.mergelab.report.EvalRecord.read(result), plotDir), "");
        } finally {
            try (var files = Files.walk(plotDir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
        if (parent != null && r.path("split").asText().equals(study.report().split())) {
            Map<String, Double> summary = new TreeMap<>();
            for (String k : List.of("accuracy", "f1_macro", "loss", "ece")) {
                Double v = finals.get(k);
                if (v != null) {
                    summary.put(r.path("model").asText() + "." + prefix + k, v);
                }
            }
            parent.logMetrics(summary, 0);
        }
    }

    /**
     * The task-vector analysis on the study run, at the seed as step: {@code analysis.l2_norm.V},
     * {@code analysis.cosine.A.B}, {@code analysis.sign_conflict.A.B} (untrimmed) and
     * {@code analysis.sign_conflict_all} (untrimmed; {@code .dD} after trimming at density D).
     */
    private static Map<String, Double> analysisMetrics(Path outputDir) {
        var a = io.mergelab.merge.analysis.TaskVectorAnalysis.read(outputDir.resolve(AnalyzeAction.DIR)
                .resolve(io.mergelab.merge.analysis.AnalysisOutputs.JSON));
        List<String> v = a.variants();
        var m = a.model();
        Map<String, Double> out = new TreeMap<>();
        for (int i = 0; i < v.size(); i++) {
            out.put("analysis.l2_norm." + v.get(i), m.l2Norm().get(i));
            for (int j = i + 1; j < v.size(); j++) {
                out.put("analysis.cosine." + v.get(i) + "." + v.get(j), m.cosine(i, j));
            }
        }
        for (var c : m.signConflicts()) {
            boolean untrimmed = c.trimDensity() == 1.0;
            out.put("analysis.sign_conflict_all" + (untrimmed ? "" : ".d" + c.trimDensity()), c.anyPair());
            for (int i = 0; untrimmed && i < v.size(); i++) {
                for (int j = i + 1; j < v.size(); j++) {
                    out.put("analysis.sign_conflict." + v.get(i) + "." + v.get(j), c.pairwise(i, j));
                }
            }
        }
        return out;
    }

    /**
     * The model a step made: its config.json values as {@code model.*} params (as transformers' MLflow callback
     * logs the model config beside the arguments), the whole checkpoint as artifacts under {@code model/} when it is
     * at most {@code uploadMb} (tracking.upload_models_mb, default 100: the tiny and small presets), else its
     * config.json and model card only, and {@code model_path} (where the weights are) either way.
     */
    private static void model(TrackedRun run, Path model, long uploadMb) throws IOException {
        Path config = model.resolve("config.json");
        if (!Files.isRegularFile(config)) {
            return;
        }
        Map<String, Object> params = new TreeMap<>();
        Canonical.json().readTree(config.toFile()).properties().forEach(f -> {
            JsonNode v = f.getValue();
            if (v.isValueNode() && !v.isNull()) {
                params.put("model." + f.getKey(), v.isNumber() ? v.numberValue() : v.asText());
            } else if (f.getKey().equals("id2label") && v.isObject()) {
                params.put("model.num_labels", v.size());
            }
        });
        run.logParams(params);
        long bytes;
        try (var files = Files.walk(model)) {
            bytes = files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
        }
        if (bytes <= uploadMb * 1024 * 1024) {
            run.logArtifacts(model, "model");
        } else {
            run.logArtifact(config, "model");
            if (Files.isRegularFile(model.resolve("README.md"))) {
                run.logArtifact(model.resolve("README.md"), "model");
            }
        }
        run.setTag("model_path", model.toString());
    }

    /**
     * The data files a step read, as MLflow dataset inputs: a fine-tune its training file (the slice it used
     * in the note) and validation file, an evaluation the split it scored. The digest and row count come from what
     * the data step already recorded (its done-marker's SHA-256 of each file, its stats.json split sizes); nothing
     * is re-read here.
     */
    private List<DatasetInput> datasets(Step step, boolean evaluation) throws IOException {
        List<DatasetInput> out = new java.util.ArrayList<>();
        for (String dep : step.deps()) {
            Step d = names.plan().step(dep);
            if (!d.kind().equals("data")) {
                continue;
            }
            String ds = String.valueOf(d.meta().get("dataset"));
            Path dir = studyDir.resolve(d.id());
            JsonNode files = Canonical.json().readTree(dir.resolve(StepStore.DONE).toFile()).path("files");
            Map<String, Long> rows = new HashMap<>();
            if (Files.isRegularFile(dir.resolve("stats.json"))) {
                Canonical.json().readTree(dir.resolve("stats.json").toFile()).path("splits")
                        .forEach(x -> rows.put(x.path("split").asText(), x.path("size").asLong()));
            }
            List<String[]> splits = evaluation
                    ? List.<String[]>of(new String[] {String.valueOf(step.meta().getOrDefault("split", "test")), null})
                    : List.of(new String[] {"train", "training"}, new String[] {"validation", "validation"});
            for (String[] f : splits) {
                String split = f[0];
                Path file = dir.resolve(split + ".jsonl");
                String sha = files.path(split + ".jsonl").path("sha256").asText(null);
                if (!Files.isRegularFile(file) || sha == null) {
                    continue; // a marker from before files were recorded: no digest to give
                }
                String note = !evaluation && split.equals("train") && step.inputs().get("slice_count") != null
                        ? "slice " + step.inputs().get("slice_index") + " of " + step.inputs().get("slice_count") : null;
                out.add(new DatasetInput(ds + "/" + split, sha.substring(0, 12), file.toString(),
                        rows.getOrDefault(split, -1L), f[1] != null ? f[1] : split, note));
            }
        }
        return out;
    }

    private static String stepYaml(Step step) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("id", step.id());
        doc.put("kind", step.kind());
        doc.put("label", step.label());
        doc.put("inputs", plain(step.inputs()));
        doc.put("meta", plain(step.meta()));
        doc.put("deps", List.copyOf(step.deps()));
        DumperOptions o = new DumperOptions();
        o.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        return new Yaml(o).dump(doc);
    }

    /** Frozen maps/lists as plain ones SnakeYAML writes without type tags. */
    private static Object plain(Object v) {
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, x) -> out.put(String.valueOf(k), plain(x)));
            return out;
        }
        if (v instanceof List<?> l) {
            return new java.util.ArrayList<>(l.stream().map(TrackingStepListener::plain).toList());
        }
        return v;
    }

    /**
     * A Slurm job of a study submitted with the Slurm executor ({@code run --only STEP}): the submitting
     * process hears of every step (started / finished with its final folder) and records it, so the job does
     * not, and no run is logged twice.
     */
    private boolean clusterTask() {
        return commonTags.get(RunTags.EXECUTOR).equals("slurm") && commonTags.containsKey(RunTags.SLURM_JOB_ID);
    }

    private Path dir(String id) {
        return studyDir.resolve(DIR).resolve(id);
    }

    private void guard(String what, IoAction action) {
        try {
            action.run();
        } catch (Exception | LinkageError e) {
            log.println("mergelab: tracking: " + what + ": " + LocalExecutor.oneLine(e) + " (the step is not affected)");
        }
    }

    private static void resetHeapPeaks() {
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP && p.isValid()) {
                p.resetPeakUsage();
            }
        }
    }

    private static long heapPeakBytes() {
        long sum = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP && p.isValid() && p.getPeakUsage() != null) {
                sum += p.getPeakUsage().getUsed();
            }
        }
        return sum;
    }

    static java.util.Optional<String> gitCommit(Path home) {
        if (home == null || !Files.exists(home.resolve(".git"))) {
            return java.util.Optional.empty();
        }
        try {
            Process p = new ProcessBuilder("git", "-C", home.toString(), "rev-parse", "HEAD")
                    .redirectErrorStream(true).start();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return java.util.Optional.empty();
            }
            String out = new String(p.getInputStream().readAllBytes()).strip();
            return p.exitValue() == 0 && out.matches("[0-9a-f]{40}") ? java.util.Optional.of(out)
                    : java.util.Optional.empty();
        } catch (IOException e) {
            return java.util.Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return java.util.Optional.empty();
        }
    }

    @FunctionalInterface
    private interface IoAction {
        void run() throws Exception;
    }
}
