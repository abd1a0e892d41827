package io.mergelab.search;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mergelab.yaml.Mark;
import io.mergelab.data.DatasetSpec;
import io.mergelab.data.DatasetSplits;
import io.mergelab.data.Datasets;
import io.mergelab.eval.Evaluator;
import io.mergelab.merge.MergeEngine;
import io.mergelab.merge.MergeException;
import io.mergelab.merge.MethodRegistry;
import io.mergelab.merge.recipe.MergeRecipe;
import io.mergelab.merge.recipe.RecipeException;
import io.mergelab.track.RunSpec;
import io.mergelab.track.RunStatus;
import io.mergelab.track.TrackedRun;
import io.mergelab.track.Tracker;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs one search: the strategy proposes, each candidate is merged in memory and scored on validation
 * data, journaled (fsync'd), tracked as an MLflow child run, and the best k are kept on disk. A rerun with
 * the same output directory replays the journal (no candidate is evaluated twice) and continues. At the
 * end the best candidate, chosen on validation only, is evaluated once on test.
 */
public final class SearchRunner {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * @param outDir     journal, best checkpoints and report files
     * @param progress   draw a progress bar on {@code log}
     * @param experiment MLflow experiment of the search's runs (null: the search's name)
     * @param runId      step id of the search's parent run, unique in the experiment (null: search/NAME)
     * @param device     where candidates are scored; null: the engine's default (the first GPU if any)
     */
    public record Options(Path outDir, boolean progress, PrintStream log, String experiment, String runId,
            ai.djl.Device device) {
        public Options(Path outDir, boolean progress, PrintStream log) {
            this(outDir, progress, log, null, null, null);
        }

        public Options(Path outDir, boolean progress, PrintStream log, ai.djl.Device device) {
            this(outDir, progress, log, null, null, device);
        }
    }

    /** What a search produced. {@code evaluatedNow} counts candidates scored by this process (not replayed). */
    public record Result(int total, int evaluatedNow, int replayed, int bestIndex, Map<String, Double> bestValues,
            double bestValidation, double bestTest, Map<String, Double> bestTestPerDataset, List<Double> scores,
            List<BaselineResult> baselines, Path bestConfig, Path plot, Path summary, List<Path> checkpoints) {
    }

    /** A fixed-parameter merge scored beside the search. */
    public record BaselineResult(String name, Map<String, Double> values, double validation, double test) {
    }

    private final SearchConfig config;
    private final MethodRegistry registry;
    private final Tracker tracker;
    private final Mark where;

    public SearchRunner(SearchConfig config, MethodRegistry registry, Tracker tracker, Mark where) {
        this.config = config;
        this.registry = registry;
        this.tracker = tracker;
        this.where = where;
    }

    public Result run(Options opt) throws IOException {
        List<DatasetSplits> prepared = new ArrayList<>();
        for (SearchConfig.ObjectiveDataset d : config.objective().datasets()) {
            prepared.add(Datasets.prepare(DatasetSpec.load(d.spec()), config.objective().splitSeed()));
        }
        return run(opt, prepared);
    }

    /**
     * Runs on datasets already split (a study's data steps), one per objective dataset in order; their
     * validation split chooses, their test split scores the best candidate once.
     */
    public Result run(Options opt, List<DatasetSplits> objectiveData) throws IOException {
        if (objectiveData.size() != config.objective().datasets().size()) {
            throw new IllegalArgumentException("search '" + config.name() + "': " + objectiveData.size()
                    + " datasets given for " + config.objective().datasets().size() + " objective datasets");
        }
        SearchSpace space = new SearchSpace(config, registry, where);
        Path out = opt.outDir().toAbsolutePath().normalize();
        Files.createDirectories(out);
        List<CandidateScorer.Data> data = new ArrayList<>();
        for (int i = 0; i < objectiveData.size(); i++) {
            data.add(new CandidateScorer.Data(objectiveData.get(i), config.objective().datasets().get(i).weight()));
        }
        boolean minimise = config.objective().minimise();
        Comparator<SearchJournal.Entry> better = Comparator.comparingDouble(
                (SearchJournal.Entry e) -> minimise ? e.score() : -e.score()).thenComparingInt(SearchJournal.Entry::index);
        InMemoryMerger merger = new InMemoryMerger(new MergeEngine(registry));
        List<String> dimNames = space.dimensions().stream().map(SearchSpace.Dimension::name).toList();
        String run = opt.runId() != null ? opt.runId() : "search/" + config.name();
        String experiment = opt.experiment() != null ? opt.experiment() : config.name();
        try (SearchJournal journal = SearchJournal.open(out.resolve("journal.jsonl"), configHash(space), dimNames,
                opt.log());
                CandidateScorer validation = new CandidateScorer(data, config.objective().metric(), "validation",
                        config.objective().maxExamples(), config.eval(), opt.device());
                CandidateScorer test = new CandidateScorer(data, config.objective().metric(), "test", 0,
                        config.eval(), opt.device())) {
            List<SearchJournal.Entry> done = journal.entries();
            int replayable = done.size();
            if (replayable > 0) {
                opt.log().println("search: resuming '" + config.name() + "' from " + journal.file() + " ("
                        + replayable + " candidates already scored)");
            }
            BestCheckpoints best = new BestCheckpoints(out.resolve("best"), config.keepBest(), better, done);
            TrackedRun parent = tracker.startStudy(RunSpec.of(experiment, run, "search/" + config.name(),
                    out.resolve("tracking").resolve("search"))
                    .withMethod(config.merge().method()).withTag("mergelab.search.strategy",
                            config.strategy().name().toLowerCase(java.util.Locale.ROOT)));
            try {
                parent.logParams(searchParams(space));
                Loop loop = new Loop(space, journal, merger, validation, best, parent, opt, minimise, better,
                        experiment, run);
                ProgressBar bar = opt.progress() ? new ProgressBarBuilder().setTaskName("search")
                        .setInitialMax(config.budget().candidates()).setStyle(ProgressBarStyle.ASCII)
                        .setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(opt.log()))
                        .setUnit(" candidates", 1).build() : null;
                loop.bar = bar;
                if (bar != null) {
                    bar.stepTo(Math.min(replayable, config.budget().candidates()));
                }
                try {
                    SearchStrategy.of(config).run(loop, config.seed());
                } catch (SearchStrategy.BudgetExhausted e) {
                    // the normal end
                } finally {
                    if (bar != null) {
                        bar.close();
                    }
                }
                if (loop.cursor < replayable) {
                    throw new IllegalStateException(journal.file() + ": holds " + replayable + " candidates but the "
                            + "search now stops after " + loop.cursor + "; was the budget lowered?");
                }
                List<SearchJournal.Entry> all = journal.entries();
                SearchJournal.Entry top = all.stream().filter(SearchJournal.Entry::ok).min(better).orElseThrow(
                        () -> new IllegalStateException("search '" + config.name() + "': no candidate could be "
                                + "merged and scored (see the errors in " + journal.file() + ")"));
                best.reconcile(i -> merger.merge(space.recipe(all.get(i).values()), all.get(i).mergeSeed()),
                        i -> space.recipeYaml(all.get(i).values()));

                SearchJournal.Final fin = journal.fin().filter(f -> f.bestIndex() == top.index()).orElse(null);
                if (fin == null) {
                    CandidateScorer.Score s = test.score(merger.merge(space.recipe(top.values()), top.mergeSeed()));
                    fin = new SearchJournal.Final(top.index(), s.value(), s.perDataset());
                    journal.setFinal(fin);
                }
                List<BaselineResult> baselines = new ArrayList<>();
                for (SearchConfig.Baseline b : config.baselines()) {
                    double[] u = space.unit(b.values(), "search.baselines." + b.name());
                    InMemoryMerger.Merged m = merger.merge(space.recipe(space.values(u)), config.merge().mergeSeed());
                    baselines.add(new BaselineResult(b.name(), b.values(), validation.score(m).value(),
                            test.score(m).value()));
                }
                List<Double> scores = all.stream().map(SearchJournal.Entry::score).toList();
                String recipe = space.recipeYaml(top.values());
                Path bestConfig = out.resolve("best_config.yaml");
                Evaluator.writeAtomically(bestConfig, SearchReport.bestConfig(config, top, recipe, fin.testScore()));
                Path plot = SearchReport.plot(scores, minimise, "search " + config.name() + " ("
                        + config.strategy().name().toLowerCase(java.util.Locale.ROOT) + ", " + config.merge().method()
                        + ")", config.objective().metric(), out.resolve("best_score_vs_candidates.png"));
                List<Path> ckpts = best.top().stream().map(e -> BestCheckpoints.name(out.resolve("best"), e.index()))
                        .toList();
                Result result = new Result(all.size(), loop.fresh, Math.min(replayable, all.size()), top.index(),
                        top.values(), top.score(), fin.testScore(), fin.perDataset(), scores, baselines, bestConfig,
                        plot, out.resolve("search_summary.json"), ckpts);
                Evaluator.writeAtomically(result.summary(), summaryJson(result, top));
                parent.logMetric("best_validation_" + config.objective().metric(), top.score(), all.size());
                parent.logMetric("best_test_" + config.objective().metric(), fin.testScore(), all.size());
                parent.logArtifact(bestConfig, "search");
                parent.logArtifact(plot, "search");
                parent.logArtifact(result.summary(), "search");
                parent.end(RunStatus.FINISHED);
                return result;
            } catch (IOException | RuntimeException e) {
                parent.end(RunStatus.FAILED);
                throw e;
            }
        }
    }

    /** The strategy's view of the search: replays the journal first, then evaluates for real. */
    private final class Loop implements SearchStrategy.Objective {
        private final SearchSpace space;
        private final SearchJournal journal;
        private final InMemoryMerger merger;
        private final CandidateScorer scorer;
        private final BestCheckpoints best;
        private final TrackedRun parent;
        private final Options opt;
        private final boolean minimise;
        private final Comparator<SearchJournal.Entry> better;
        private final List<SearchJournal.Entry> replay;
        private final double previousSeconds;
        /** Candidate time of this run; wall time counts candidate time only, so a resumed run sees the same clock. */
        private double secondsNow;
        private int cursor;
        private int fresh;
        private ProgressBar bar;
        private final String experiment;
        private final String runId;

        Loop(SearchSpace space, SearchJournal journal, InMemoryMerger merger, CandidateScorer scorer,
                BestCheckpoints best, TrackedRun parent, Options opt, boolean minimise,
                Comparator<SearchJournal.Entry> better, String experiment, String runId) {
            this.experiment = experiment;
            this.runId = runId;
            this.space = space;
            this.journal = journal;
            this.merger = merger;
            this.scorer = scorer;
            this.best = best;
            this.parent = parent;
            this.opt = opt;
            this.minimise = minimise;
            this.better = better;
            this.replay = journal.entries();
            this.previousSeconds = replay.stream().mapToDouble(SearchJournal.Entry::seconds).sum();
        }

        @Override
        public int dimensions() {
            return space.size();
        }

        @Override
        public int budget() {
            return config.budget().candidates();
        }

        @Override
        public double evaluate(double[] unit, long mergeSeed) {
            int index = cursor;
            if (index < replay.size()) {
                SearchJournal.Entry e = replay.get(index);
                if (!same(e.unit(), unit) || e.mergeSeed() != mergeSeed) {
                    throw new IllegalStateException(journal.file() + ": candidate " + index + " was "
                            + java.util.Arrays.toString(e.unit()) + " (merge seed " + e.mergeSeed() + ") but the "
                            + "strategy now proposes " + java.util.Arrays.toString(unit) + " (merge seed " + mergeSeed
                            + "); the journal does not match this search");
                }
                cursor++;
                return objective(e);
            }
            if (index >= config.budget().candidates() || timeUp()) {
                throw new SearchStrategy.BudgetExhausted();
            }
            try {
                SearchJournal.Entry e = evaluateNew(index, unit.clone(), mergeSeed);
                cursor++;
                fresh++;
                if (bar != null) {
                    bar.step();
                    bar.setExtraMessage(String.format(" best %.4f", journal.entries().stream()
                            .filter(SearchJournal.Entry::ok).min(better).map(SearchJournal.Entry::score)
                            .orElse(Double.NaN)));
                }
                return objective(e);
            } catch (IOException ex) {
                throw new java.io.UncheckedIOException(ex);
            }
        }

        private SearchJournal.Entry evaluateNew(int index, double[] unit, long mergeSeed) throws IOException {
            long t0 = System.nanoTime();
            Map<String, Double> values = space.values(unit);
            MergeRecipe recipe = space.recipe(values);
            InMemoryMerger.Merged merged = null;
            double score = Double.NaN;
            Map<String, Double> per = new LinkedHashMap<>();
            String error = null;
            try {
                merged = merger.merge(recipe, mergeSeed);
                CandidateScorer.Score s = scorer.score(merged);
                score = s.value();
                per = s.perDataset();
            } catch (MergeException | RecipeException ex) {
                error = ex.getMessage(); // a bad point of the space, not a broken search: scored worst
                opt.log().println("search: candidate " + index + ": " + error);
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            SearchJournal.Entry e = new SearchJournal.Entry(index, unit, values, mergeSeed, score, per, error, secs);
            secondsNow += secs;
            track(e);
            journal.add(e);
            best.offer(e, merged, recipe.mergekitYaml());
            return e;
        }

        private void track(SearchJournal.Entry e) {
            String id = String.format("%s/candidate-%05d", runId, e.index());
            String name = String.format("search/%s/candidate-%05d", config.name(), e.index());
            try (TrackedRun child = tracker.startStep(parent, RunSpec.of(experiment, id, name,
                    opt.outDir().resolve("tracking").resolve(String.format("candidate-%05d", e.index())))
                    .withMethod(config.merge().method()))) {
                Map<String, Object> params = new LinkedHashMap<>(e.values());
                params.put("merge_seed", e.mergeSeed());
                params.put("candidate", e.index());
                child.logParams(params);
                if (e.ok()) {
                    child.logMetric("score", e.score(), 0);
                    child.logMetric("validation_" + config.objective().metric(), e.score(), 0);
                    e.perDataset().forEach((k, v) -> child.logMetric("validation_" + config.objective().metric()
                            + "." + k.replaceAll("[^A-Za-z0-9_./ -]", "_"), v, 0));
                } else {
                    child.setTag("mergelab.search.error", e.error().length() > 500 ? e.error().substring(0, 500)
                            : e.error());
                    child.end(RunStatus.FAILED);
                }
            }
            if (e.ok()) {
                parent.logMetric("candidate_score", e.score(), e.index());
            }
        }

        private boolean timeUp() {
            return config.budget().wallTime().map(w -> previousSeconds + secondsNow >= w.toMillis() / 1000.0)
                    .orElse(false);
        }

        private double objective(SearchJournal.Entry e) {
            if (!e.ok()) {
                return -1e9;
            }
            return minimise ? -e.score() : e.score();
        }
    }

    private static boolean same(double[] a, double[] b) {
        if (a.length != b.length) {
            return false;
        }
        for (int i = 0; i < a.length; i++) {
            if (Math.abs(a[i] - b[i]) > 1e-12) {
                return false;
            }
        }
        return true;
    }

    private Map<String, Object> searchParams(SearchSpace space) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("search.strategy", config.strategy().name().toLowerCase(java.util.Locale.ROOT));
        p.put("search.method", config.merge().method());
        p.put("search.budget.candidates", config.budget().candidates());
        p.put("search.seed", config.seed());
        p.put("search.objective.metric", config.objective().metric());
        p.put("search.dimensions", String.join(",", space.dimensions().stream().map(SearchSpace.Dimension::name)
                .toList()));
        if (config.strategy() == SearchConfig.Strategy.CMAES) {
            p.put("search.cmaes.population", CmaesStrategy.population(space.size(), config.cmaes().population()));
            p.put("search.cmaes.sigma", config.cmaes().sigma());
        }
        return p;
    }

    /** Identity of the search: what determines which candidates are proposed and how they are scored. */
    private String configHash(SearchSpace space) {
        String id = String.join("\n", config.merge().toString(), space.dimensions().toString(),
                config.objective().toString(), config.strategy().toString(), Long.toString(config.seed()),
                Integer.toString(config.gridPoints()), config.cmaes().toString(), config.eval().toString());
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(h, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private String summaryJson(Result r, SearchJournal.Entry top) throws IOException {
        ObjectNode n = JSON.createObjectNode();
        n.put("search", config.name());
        n.put("strategy", config.strategy().name().toLowerCase(java.util.Locale.ROOT));
        n.put("merge_method", config.merge().method());
        n.put("metric", config.objective().metric());
        n.put("candidates", r.total());
        n.put("evaluated_by_this_run", r.evaluatedNow());
        ObjectNode b = n.putObject("best");
        b.put("candidate", top.index());
        b.putPOJO("parameters", top.values());
        b.put("merge_seed", top.mergeSeed());
        b.put("validation", top.score());
        b.putPOJO("validation_per_dataset", top.perDataset());
        b.put("test", r.bestTest());
        b.putPOJO("test_per_dataset", r.bestTestPerDataset());
        var bl = n.putArray("baselines");
        for (BaselineResult x : r.baselines()) {
            ObjectNode o = bl.addObject();
            o.put("name", x.name());
            o.putPOJO("parameters", x.values());
            o.put("validation", x.validation());
            o.put("test", x.test());
        }
        var sc = n.putArray("validation_scores");
        r.scores().forEach(s -> {
            if (Double.isNaN(s)) {
                sc.addNull();
            } else {
                sc.add(s);
            }
        });
        return JSON.writeValueAsString(n) + "\n";
    }
}
