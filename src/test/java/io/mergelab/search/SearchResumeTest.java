package io.mergelab.search;

import io.mergelab.yaml.Mark;
import io.mergelab.merge.MethodRegistry;
import io.mergelab.track.NoopTracker;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A CMA-ES search run by {@code mergelab search} in a child JVM is killed (SIGKILL) after a few
 * candidates; rerunning continues from the journal without re-evaluating anything, and ends exactly where
 * an uninterrupted search ends.
 */
@Tag("slow")
class SearchResumeTest {
    static final Path DIR = Path.of("target/tmp/search-tests/resume").toAbsolutePath();
    static final int BUDGET = 7;

    @Test
    void killedSearchResumesWithoutReEvaluating() throws Exception {
        TinyStudy.ensure();
        Files.createDirectories(DIR);
        Path cfg = DIR.resolve("resume.yaml");
        Files.writeString(cfg, TinyStudy.yaml("resume", "task_arithmetic",
                "    - {param: weight, min: 0.0, max: 1.5}\n", "cmaes", BUDGET, "  cmaes: {population: 4}\n"));
        SearchConfig c = SearchConfigParser.parseFile(cfg);

        Path killed = DIR.resolve("killed");
        deleteTree(killed);
        Path journal = killed.resolve("journal.jsonl");
        Process p = child(cfg, killed).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
            while (candidates(journal) < 3) {
                assertTrue(p.isAlive(), "search child exited early; see target/tmp/search-child.log");
                assertTrue(System.nanoTime() < deadline, "child made no progress");
                Thread.sleep(100);
            }
        } finally {
            p.destroyForcibly(); // SIGKILL: no shutdown hooks, possibly mid-candidate
            p.waitFor(30, TimeUnit.SECONDS);
        }
        int before = candidates(journal);
        assertTrue(before >= 3 && before < BUDGET, "killed after " + before);

        SearchRunner.Result resumed = run(c, cfg, killed);
        assertEquals(before, resumed.replayed());
        assertEquals(BUDGET - before, resumed.evaluatedNow(), "no finished candidate is evaluated again");
        List<String> lines = Files.readAllLines(journal).stream().filter(l -> l.contains("\"candidate\"")).toList();
        assertEquals(BUDGET, lines.size());
        for (int i = 0; i < BUDGET; i++) {
            assertTrue(lines.get(i).contains("\"index\":" + i + ","), lines.get(i));
        }

        Path straight = DIR.resolve("straight");
        deleteTree(straight);
        SearchRunner.Result full = run(c, cfg, straight);
        assertEquals(BUDGET, full.evaluatedNow());
        assertEquals(full.scores(), resumed.scores());
        assertEquals(full.bestIndex(), resumed.bestIndex());
        assertEquals(full.bestValues(), resumed.bestValues());
        assertEquals(full.bestTest(), resumed.bestTest());
        assertEquals(Files.readString(full.bestConfig()), Files.readString(resumed.bestConfig()));

        // a third run finds everything done: nothing evaluated, the test score comes from the journal
        SearchRunner.Result again = run(c, cfg, killed);
        assertEquals(0, again.evaluatedNow());
        assertEquals(full.bestTest(), again.bestTest());
    }

    private static SearchRunner.Result run(SearchConfig c, Path cfg, Path out) throws IOException {
        return new SearchRunner(c, MethodRegistry.load(), new NoopTracker(), Mark.of(cfg.toString()))
                .run(new SearchRunner.Options(out, false, System.err));
    }

    private static int candidates(Path journal) throws IOException {
        if (!Files.exists(journal)) {
            return 0;
        }
        String text = Files.readString(journal);
        int n = 0;
        for (String l : text.split("\n", -1)) {
            if (l.contains("\"type\":\"candidate\"") && l.endsWith("}")) {
                n++;
            }
        }
        return n;
    }

    private static ProcessBuilder child(Path cfg, Path out) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx2g", "-Dai.djl.offline=true",
                "-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"),
                "-cp", System.getProperty("java.class.path"), "io.mergelab.cli.Main",
                "search", cfg.toString(), "--out", out.toString(), "--no-progress");
        pb.environment().put("OPT_OUT_TRACKING", "true");
        pb.environment().remove("MLFLOW_TRACKING_URI");
        pb.environment().remove("PYTORCH_LIBRARY_PATH");
        pb.redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(new File("target/tmp/search-child.log")));
        return pb;
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (var s = Files.walk(p)) {
            for (Path q : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(q);
            }
        }
    }
}
