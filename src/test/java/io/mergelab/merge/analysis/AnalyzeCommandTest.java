package io.mergelab.merge.analysis;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code mergelab analyze MODEL... --base BASE --out DIR}: the files it writes, one-line errors. */
class AnalyzeCommandTest {
    @TempDir
    Path tmp;

    private static String[] run(String... args) {
        return io.mergelab.testutil.MainCapture.run(args);
    }

    private static String m(String name) {
        return AnalysisFixtures.dir(name).toString();
    }

    @Test
    void writesJsonTablesSummaryAndFigures() throws IOException {
        Path out = tmp.resolve("analysis");
        String[] r = run("analyze", m("ft-a"), m("ft-b"), m("ft-c"), "--base", m("base"), "--out", out.toString(),
                "--seed", "7", "--no-progress");
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].contains("analysed 27 tensors of 3 variants"), r[1]);
        assertTrue(Files.isRegularFile(out.resolve(AnalysisOutputs.JSON)));
        assertTrue(Files.isRegularFile(out.resolve(AnalysisOutputs.SUMMARY)));
        for (String t : AnalysisOutputs.TABLES) {
            assertTrue(Files.size(out.resolve(t)) > 0, t);
        }
        for (String f : List.of("cosine", "cosine_layers", "sign_conflict_layers_pairs", "sign_conflict_layers_trim")) {
            for (String ext : List.of(".png", ".svg", ".pdf")) {
                assertTrue(Files.size(out.resolve(f + ext)) > 1000, f + ext);
            }
        }
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(List.of(out), s.toList(), "no temp directory left beside OUT");
        }
        // the written JSON is the analyzer's result, with the CLI's defaults for the levels
        TaskVectorAnalysis a = TaskVectorAnalysis.read(out.resolve(AnalysisOutputs.JSON));
        assertEquals(AnalysisSettings.DEFAULT_TIES_DENSITIES, a.settings().tiesDensities());
        TaskVectorAnalysis direct = new TaskVectorAnalyzer(a.settings()).analyze(
                new io.mergelab.merge.ModelInput(m("base"), io.mergelab.model.checkpoint.CheckpointDir.open(
                        AnalysisFixtures.dir("base"))),
                List.of(m("ft-a"), m("ft-b"), m("ft-c")).stream().map(p -> new io.mergelab.merge.ModelInput(p,
                        io.mergelab.model.checkpoint.CheckpointDir.open(Path.of(p)))).toList());
        assertEquals(direct, a);
        String csv = Files.readString(out.resolve("layers_long.csv"));
        assertTrue(csv.startsWith("scope,measure,trim_density,variant_a,variant_b,value\n"), csv);
        assertTrue(csv.contains("h.1,sign_conflict_any,0.2,"), csv);
        String md = Files.readString(out.resolve(AnalysisOutputs.SUMMARY));
        assertTrue(md.contains("score.weight") && md.contains("cosine.png"), md);

        r = run("analyze", m("ft-a"), m("ft-b"), "--base", m("base"), "--out", out.toString(), "--no-progress");
        assertEquals("1", r[0]);
        assertTrue(r[2].contains("--overwrite"), r[2]);
        r = run("analyze", m("ft-a"), m("ft-b"), "--base", m("base"), "--out", out.toString(), "--no-progress",
                "--overwrite", "--no-figures");
        assertEquals("0", r[0], r[2]);
        assertFalse(Files.exists(out.resolve("cosine.png")), "replaced, not merged into");
    }

    @Test
    void errorsAreOneLineNamingTheProblem() throws IOException {
        Path out = tmp.resolve("o");
        String[] r = run("analyze", m("ft-a"), "--base", m("base"), "--out", out.toString(), "--no-progress");
        assertEquals("1", r[0]);
        assertTrue(r[2].startsWith("mergelab: error: ") && r[2].contains("at least 2 variants"), r[2]);
        assertEquals(1, r[2].strip().lines().count(), r[2]);

        Path missing = tmp.resolve("no-such-model");
        r = run("analyze", m("ft-a"), missing.toString(), "--base", m("base"), "--out", out.toString(),
                "--no-progress");
        assertEquals("1", r[0]);
        assertTrue(r[2].contains(missing.toString()), r[2]);
        assertEquals(1, r[2].strip().lines().count(), r[2]);

        Path bad = AnalysisFixtures.withSwappedShape("ft-b", "h.1.mlp.c_fc.weight", tmp.resolve("bad"));
        r = run("analyze", m("ft-a"), bad.toString(), "--base", m("base"), "--out", out.toString(), "--no-progress");
        assertEquals("1", r[0]);
        assertTrue(r[2].contains(bad.resolve("model.safetensors").toString()) && r[2].contains("h.1.mlp.c_fc.weight"),
                r[2]);
        assertEquals(1, r[2].strip().lines().count(), r[2]);

        r = run("analyze", m("ft-a"), m("ft-b"), "--base", m("base"), "--out", out.toString(), "--top-k", "0",
                "--no-progress");
        assertEquals("1", r[0]);
        assertTrue(r[2].contains("--top-k") && r[2].contains("(0, 1]"), r[2]);
        assertFalse(Files.exists(out), "nothing written on errors");
    }

    @Test
    void helpExplainsEveryMeasure() {
        String[] r = run("analyze", "--help");
        assertEquals("0", r[0], r[2]);
        for (String word : List.of("cosine", "conflicts", "profile", "DARE", "--ties-density", "--top-k",
                "--dare-density", "--seed", "--base", "--out")) {
            assertTrue(r[1].contains(word), word + " in\n" + r[1]);
        }
    }
}
