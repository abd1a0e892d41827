package io.mergelab.search;

import io.mergelab.yaml.Mark;
import io.mergelab.data.DatasetSpec;
import io.mergelab.data.DatasetSplits;
import io.mergelab.data.Datasets;
import io.mergelab.eval.Evaluator;
import io.mergelab.merge.MergeEngine;
import io.mergelab.merge.MergeRunner;
import io.mergelab.merge.MethodRegistry;
import io.mergelab.track.NoopTracker;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Searches on the tiny study (TINY GPT-2 fine-tuned 40 steps on Yelp and on Amazon sentences with the train
 * package): task_arithmetic weights of both task vectors, objective = mean validation accuracy on both.
 * Given the same budget of 9 candidates, random search and CMA-ES must find a merge at least as good on
 * validation as the best point of the 3 x 3 grid.
 */
@Tag("slow")
class SearchOnTinyStudyTest {
    static final Path DIR = Path.of("target/tmp/search-tests/strategies").toAbsolutePath();
    static final String FREE = "    - {param: weight, min: 0.0, max: 1.5}\n";
    static final String BASELINES = "  baselines:\n"
            + "    task_arithmetic_1_1: {weight.yelp: 1.0, weight.amazon: 1.0}\n"
            + "    yelp_only: {weight.yelp: 1.0, weight.amazon: 0.0}\n"
            + "    amazon_only: {weight.yelp: 0.0, weight.amazon: 1.0}\n";

    @BeforeAll
    static void study() throws IOException {
        TinyStudy.ensure();
    }

    static SearchRunner.Result search(String name, String method, String free, String strategy, int budget,
            String extra, Path out) throws IOException {
        return search(name, method, free, strategy, budget, extra, out, new NoopTracker());
    }

    static SearchRunner.Result search(String name, String method, String free, String strategy, int budget,
            String extra, Path out, io.mergelab.track.Tracker tracker) throws IOException {
        if (Files.exists(out)) { // a fresh search, not a resume of an earlier test run
            try (Stream<Path> s = Files.walk(out)) {
                for (Path q : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(q);
                }
            }
        }
        Files.createDirectories(out);
        Path f = out.resolveSibling(name + ".yaml");
        Files.writeString(f, TinyStudy.yaml(name, method, free, strategy, budget, extra));
        SearchConfig c = SearchConfigParser.parseFile(f);
        return new SearchRunner(c, MethodRegistry.load(), tracker, Mark.of(f.toString()))
                .run(new SearchRunner.Options(out, false, System.err));
    }

    @Test
    void randomComesCloseToAndCmaesBeatsTheGridWithTheSameBudget() throws IOException {
        SearchRunner.Result grid = search("grid", "task_arithmetic", FREE, "grid", 9, BASELINES, DIR.resolve("grid"));
        SearchRunner.Result random = search("random", "task_arithmetic", FREE, "random", 9, "",
                DIR.resolve("random"));
        SearchRunner.Result cmaes = search("cmaes", "task_arithmetic", FREE, "cmaes", 9,
                "  cmaes: {population: 4, sigma: 0.3}\n", DIR.resolve("cmaes"));
        System.err.printf("tiny study, 9 candidates each: grid %.4f (test %.4f) %s | random %.4f (test %.4f) %s | "
                        + "cmaes %.4f (test %.4f) %s | baselines %s%n", grid.bestValidation(), grid.bestTest(),
                grid.bestValues(), random.bestValidation(), random.bestTest(), random.bestValues(),
                cmaes.bestValidation(), cmaes.bestTest(), cmaes.bestValues(), grid.baselines());
        for (SearchRunner.Result r : List.of(grid, random, cmaes)) {
            assertEquals(9, r.total());
            assertEquals(9, r.scores().size());
            assertTrue(Files.size(r.plot()) > 1000);
            assertTrue(r.checkpoints().size() <= 2);
            try (Stream<Path> s = Files.list(r.plot().getParent().resolve("best"))) {
                assertEquals(r.checkpoints().size(), s.count(), "only the best k stay on disk");
            }
        }
        // nine random draws cover the grid's square but need not land on its best point: within 0.02 (the mean of
        // two 100-example validation accuracies: two examples each) of it; CMA-ES, which climbs, matches or beats it
        assertTrue(random.bestValidation() >= grid.bestValidation() - 0.02, random.bestValidation() + " < grid "
                + grid.bestValidation() + " - 0.02");
        assertTrue(cmaes.bestValidation() >= grid.bestValidation(), cmaes.bestValidation() + " < grid "
                + grid.bestValidation());
        // the best merge found by the search beats (or ties) the fixed-parameter merges on validation
        for (SearchRunner.BaselineResult b : grid.baselines()) {
            assertTrue(cmaes.bestValidation() >= b.validation(), b.name());
        }
    }

    /** best_config.yaml is a ready-to-use recipe: merged by the engine to disk it scores what the search saw. */
    @Test
    void bestConfigReproducesTheBestCandidateThroughTheMergeEngine() throws IOException {
        SearchRunner.Result r = search("lunk", "random_select",
                "    - {param: weight, min: 0.1, max: 1.0}\n", "random", 4,
                "", DIR.resolve("lunk"), io.mergelab.track.MlflowTracker.journalOnly(System.err));
        String yaml = Files.readString(r.bestConfig());
        assertTrue(yaml.contains("merge_method: random_select"), yaml);
        long seed = Long.parseLong(yaml.lines().filter(l -> l.contains("--seed")).findFirst().orElseThrow()
                .replaceAll(".*--seed ", "").trim());
        Path out = DIR.resolve("lunk-best-merged");
        MergeEngine.withDefaultMethods().run(r.bestConfig(), out, seed, MergeRunner.Options.defaults()
                .withOverwrite(true));
        Evaluator ev = new Evaluator(64, 64);
        double sum = 0;
        for (Path spec : List.of(TinyStudy.YELP_SPEC, TinyStudy.AMAZON_SPEC)) {
            DatasetSplits s = Datasets.prepare(DatasetSpec.load(spec), 42);
            sum += ev.evaluate(out, s.labels(), s.validation()).accuracy();
        }
        assertEquals(r.bestValidation(), sum / 2, 1e-9);
        // four LUNK candidates, each with its own random choice of tensors, each an MLflow child run
        assertEquals(4, r.total());
        for (int i = 0; i < 4; i++) {
            Path j = DIR.resolve("lunk/tracking").resolve(String.format("candidate-%05d", i))
                    .resolve(io.mergelab.track.Journal.FILE);
            String records = Files.readString(j);
            assertTrue(records.contains("weight.yelp") && records.contains("merge_seed")
                    && records.contains("score"), records);
        }
    }

    @Test
    void wallTimeEndsTheSearchBeforeTheCandidateCap() throws IOException {
        Path out = DIR.resolve("walltime");
        if (Files.exists(out)) {
            try (Stream<Path> s = Files.walk(out)) {
                for (Path q : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(q);
                }
            }
        }
        Path f = DIR.resolve("walltime.yaml");
        Files.createDirectories(DIR);
        Files.writeString(f, TinyStudy.yaml("walltime", "task_arithmetic", FREE, "random", 1000, "")
                .replace("{candidates: 1000}", "{candidates: 1000, wall_time: 3s}"));
        SearchConfig c = SearchConfigParser.parseFile(f);
        long t0 = System.nanoTime();
        SearchRunner.Result r = new SearchRunner(c, MethodRegistry.load(), new NoopTracker(), Mark.of(f.toString()))
                .run(new SearchRunner.Options(out, false, System.err));
        assertTrue(r.total() >= 1 && r.total() < 1000, "candidates " + r.total());
        assertTrue((System.nanoTime() - t0) / 1e9 < 120);
        // rerun: the time already spent counts, so nothing more is evaluated
        SearchRunner.Result again = new SearchRunner(c, MethodRegistry.load(), new NoopTracker(),
                Mark.of(f.toString())).run(new SearchRunner.Options(out, false, System.err));
        assertEquals(0, again.evaluatedNow());
        assertEquals(r.total(), again.total());
    }
}
