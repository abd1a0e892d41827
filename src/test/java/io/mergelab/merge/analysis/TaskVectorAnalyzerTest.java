package io.mergelab.merge.analysis;

import io.mergelab.merge.ModelInput;
import io.mergelab.model.checkpoint.CheckpointDir;
import io.mergelab.model.checkpoint.CheckpointFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Behaviour of the analyzer beyond the golden numbers: degenerate inputs, errors, determinism. */
class TaskVectorAnalyzerTest {
    private static final TaskVectorAnalyzer ANALYZER = new TaskVectorAnalyzer(AnalysisFixtures.SETTINGS);

    private static List<Measures> scopes(TaskVectorAnalysis a) {
        List<Measures> s = new ArrayList<>();
        s.add(a.model());
        s.addAll(a.groups());
        return s;
    }

    @Test
    void identicalVariantsHaveCosineOneAndNoConflicts() {
        TaskVectorAnalysis a = ANALYZER.analyze(AnalysisFixtures.model("base"),
                AnalysisFixtures.models("ft-a", "ft-a"));
        for (Measures m : scopes(a)) {
            // the same τ twice: <τ,τ> / (‖τ‖ ‖τ‖) is 1 up to the rounding of one division and one square root
            assertEquals(1.0, m.cosine(0, 1), 1e-12, m.scope());
            for (SignConflicts c : m.signConflicts()) {
                assertEquals(0.0, c.anyPair(), m.scope() + " at " + c.trimDensity());
                assertEquals(0.0, c.pairwise(0, 1), m.scope() + " at " + c.trimDensity());
            }
            assertEquals(m.l2Norm().get(0), m.l2Norm().get(1));
        }
    }

    @Test
    void aVariantEqualToTheBaseIsAZeroTaskVectorWithoutNaN() {
        TaskVectorAnalysis a = ANALYZER.analyze(AnalysisFixtures.model("base"),
                AnalysisFixtures.models("ft-a", "base"));
        for (Measures m : scopes(a)) {
            assertEquals(0.0, m.l2Norm().get(1), m.scope());
            assertEquals(0.0, m.l1Norm().get(1), m.scope());
            // defined: cosine with (and of) a zero vector is 0, diagonal included; τ_a's own diagonal stays 1
            assertEquals(0.0, m.cosine(0, 1), m.scope());
            assertEquals(0.0, m.cosine(1, 1), m.scope());
            assertEquals(1.0, m.cosine(0, 0), m.scope());
            m.topKL1Mass().get(1).forEach(x -> assertEquals(0.0, x, m.scope()));
            m.topKL2Mass().get(1).forEach(x -> assertEquals(0.0, x, m.scope()));
            m.dareNormRatio().get(1).forEach(x -> assertEquals(0.0, x, m.scope()));
            for (SignConflicts c : m.signConflicts()) {
                assertEquals(0.0, c.anyPair(), "a zero τ conflicts with nothing");
            }
        }
        assertTrue(!a.toJson().contains("NaN") && !a.toJson().contains("Infinity"), a.toJson());
    }

    @Test
    void classificationHeadIsExcludedNotAnalysed() {
        TaskVectorAnalysis a = ANALYZER.analyze(AnalysisFixtures.model("base"),
                AnalysisFixtures.models("ft-a", "ft-b"));
        assertTrue(a.excluded().stream().anyMatch(e -> e.tensor().equals("score.weight")
                && e.reason().contains("classification head")), a.excluded().toString());
        // 2 + 12 per block + 2: every backbone tensor of both blocks, embeddings and ln_f; no head
        assertEquals(2 + 2 * 12 + 2, a.model().tensors());
        assertEquals(List.of("embeddings", "h.0", "h.1", "ln_f"), a.groups().stream().map(Measures::scope).toList());
    }

    @Test
    void shapeMismatchNamesTheVariantFileAndTheTensor(@TempDir Path tmp) throws IOException {
        Path bad = AnalysisFixtures.withSwappedShape("ft-b", "h.0.attn.c_attn.weight", tmp.resolve("bad"));
        ModelInput badInput = new ModelInput(bad.toString(), CheckpointDir.open(bad));
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> ANALYZER.analyze(
                AnalysisFixtures.model("base"), List.of(AnalysisFixtures.model("ft-a"), badInput)));
        assertTrue(e.getMessage().startsWith(bad.resolve("model.safetensors").toString()), e.getMessage());
        assertTrue(e.getMessage().contains("h.0.attn.c_attn.weight"), e.getMessage());
        assertTrue(e.getMessage().contains("[24, 8] differs from the base's [8, 24]"), e.getMessage());
    }

    @Test
    void fewerThanTwoVariantsIsAnError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ANALYZER.analyze(
                AnalysisFixtures.model("base"), AnalysisFixtures.models("ft-a")));
        assertTrue(e.getMessage().contains("at least 2 variants"), e.getMessage());
    }

    @Test
    void dareRatiosAreDeterministicForASeedAndMoveWithIt() {
        List<ModelInput> v = AnalysisFixtures.models("ft-a", "ft-b");
        TaskVectorAnalysis one = ANALYZER.analyze(AnalysisFixtures.model("base"), v);
        TaskVectorAnalysis two = ANALYZER.analyze(AnalysisFixtures.model("base"), v);
        assertEquals(one, two);
        AnalysisSettings s = AnalysisFixtures.SETTINGS;
        TaskVectorAnalysis other = new TaskVectorAnalyzer(new AnalysisSettings(s.tiesDensities(), s.topKFractions(),
                s.dareDensities(), s.seed() + 1)).analyze(AnalysisFixtures.model("base"), v);
        assertNotEquals(one.model().dareNormRatio(), other.model().dareNormRatio());
        assertEquals(one.model().cosine(), other.model().cosine(), "only DARE depends on the seed");
    }

    @Test
    void settingsRefuseLevelsOutsideZeroOne() {
        assertThrows(IllegalArgumentException.class, () -> new AnalysisSettings(List.of(0.0), List.of(0.1),
                List.of(0.5), 0));
        assertThrows(IllegalArgumentException.class, () -> new AnalysisSettings(List.of(0.2), List.of(1.5),
                List.of(0.5), 0));
        assertThrows(IllegalArgumentException.class, () -> new AnalysisSettings(List.of(0.2, 0.2), List.of(0.1),
                List.of(0.5), 0));
    }
}
