package io.mergelab.merge.analysis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mergelab.testutil.Tolerance;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every measure of the analysis of the committed base + ft-a/ft-b/ft-c against the numpy reference of
 * tools/golden/make_analysis_golden.py (computed from the definitions; DARE masks from a bit-exact SplitMix64).
 */
class TaskVectorAnalysisGoldenTest {
    /**
     * Norms, cosines, mass fractions, DARE ratios: both sides form τ exactly (float32 x − base) and sum exact
     * float products in double over at most 2 648 coordinates, in different orders; the relative error of such sums
     * is ~1e-15, so 1e-9 leaves six orders of headroom while any wrong formula, level or mask moves values by far
     * more than 1e-6. The absolute floor 1e-12 is for exact zeros (ft-c's frozen block h.1).
     */
    private static final Tolerance SUMS = Tolerance.relative(1e-9, 1e-12);
    /** Sign-conflict fractions are integer counts over the same coordinate count: equal up to division rounding. */
    private static final Tolerance COUNTS = Tolerance.relative(1e-12, 1e-15);

    private static JsonNode golden;
    private static TaskVectorAnalysis analysis;

    @BeforeAll
    static void analyse() throws IOException {
        try (InputStream in = TaskVectorAnalysisGoldenTest.class
                .getResourceAsStream("/golden/analysis/task-vectors.json")) {
            golden = new ObjectMapper().readTree(in);
        }
        analysis = new TaskVectorAnalyzer(AnalysisFixtures.SETTINGS).analyze(AnalysisFixtures.model("base"),
                AnalysisFixtures.models("ft-a", "ft-b", "ft-c"));
    }

    @Test
    void settingsAndModelsAreTheGoldenOnes() {
        JsonNode s = golden.get("settings");
        assertEquals(doubles(s.get("ties_densities")), analysis.settings().tiesDensities());
        assertEquals(doubles(s.get("top_k")), analysis.settings().topKFractions());
        assertEquals(doubles(s.get("dare_densities")), analysis.settings().dareDensities());
        assertEquals(s.get("seed").asLong(), analysis.settings().seed());
        assertEquals(golden.get("base").asText(), analysis.base());
        assertEquals(strings(golden.get("variants")), analysis.variants());
    }

    @Test
    void groupsAreEmbeddingsBlocksLnFInModelOrder() {
        assertEquals(strings(golden.get("group_order")), analysis.groups().stream().map(Measures::scope).toList());
    }

    @Test
    void excludedTensorsAreTheBufferTheMissingOneAndTheHead() {
        Map<String, String> got = new TreeMap<>();
        analysis.excluded().forEach(e -> got.put(e.tensor(), e.reason()));
        Map<String, String> want = new TreeMap<>();
        golden.get("excluded").forEach(e -> want.put(e.get("tensor").asText(), e.get("reason_contains").asText()));
        assertEquals(want.keySet(), got.keySet());
        want.forEach((t, r) -> assertTrue(got.get(t).contains(r), t + ": " + got.get(t)));
        assertTrue(got.get("score.weight").contains("classification head"), got.get("score.weight"));
    }

    @Test
    void everyMeasureOfEveryScopeMatchesTheReference() {
        List<Measures> scopes = new ArrayList<>();
        scopes.add(analysis.model());
        scopes.addAll(analysis.groups());
        double worst = 0;
        for (Measures m : scopes) {
            JsonNode g = golden.get("scopes").get(m.scope());
            String at = m.scope() + ".";
            assertEquals(g.get("tensors").asInt(), m.tensors(), at + "tensors");
            assertEquals(g.get("coordinates").asLong(), m.coordinates(), at + "coordinates");
            worst = Math.max(worst, vector(SUMS, g.get("l2_norm"), m.l2Norm(), at + "l2Norm"));
            worst = Math.max(worst, vector(SUMS, g.get("l1_norm"), m.l1Norm(), at + "l1Norm"));
            worst = Math.max(worst, matrix(SUMS, g.get("cosine"), m.cosine(), at + "cosine"));
            JsonNode sc = g.get("sign_conflicts");
            assertEquals(sc.size(), m.signConflicts().size(), at + "signConflicts");
            for (int t = 0; t < sc.size(); t++) {
                SignConflicts c = m.signConflicts().get(t);
                String w = at + "signConflicts[" + t + "]";
                assertEquals(sc.get(t).get("trim_density").asDouble(), c.trimDensity(), w + ".trimDensity");
                COUNTS.assertClose(sc.get(t).get("any_pair").asDouble(), c.anyPair(), w + ".anyPair");
                matrix(COUNTS, sc.get(t).get("pairwise"), c.pairwise(), w + ".pairwise");
            }
            worst = Math.max(worst, matrix(SUMS, g.get("top_k_l1_mass"), m.topKL1Mass(), at + "topKL1Mass"));
            worst = Math.max(worst, matrix(SUMS, g.get("top_k_l2_mass"), m.topKL2Mass(), at + "topKL2Mass"));
            worst = Math.max(worst, matrix(SUMS, g.get("dare_norm_ratio"), m.dareNormRatio(), at + "dareNormRatio"));
        }
        assertTrue(worst <= 1, "worst fraction of the bound: " + worst);
    }

    @Test
    void theFixtureExercisesWhatItShould() {
        // guards against a fixture that makes the comparisons vacuous
        Measures m = analysis.model();
        assertTrue(m.cosine(0, 1) > 0.1 && m.cosine(0, 2) < 0, "cosines " + m.cosine());
        assertTrue(m.conflictsAt(1.0).anyPair() > m.conflictsAt(0.5).anyPair()
                && m.conflictsAt(0.5).anyPair() > m.conflictsAt(0.2).anyPair(), "trimming removes conflicts");
        assertEquals(0.0, analysis.group("h.1").l2Norm().get(2), "ft-c's frozen block");
        for (int j = 0; j < 3; j++) {
            double p = analysis.settings().dareDensities().get(j);
            double r = m.dareNormRatio().get(0).get(j);
            assertTrue(Math.abs(r * Math.sqrt(p) - 1) < 0.1, "DARE ratio " + r + " at p=" + p + " near 1/sqrt(p)");
        }
    }

    @Test
    void jsonRoundTripsExactly() {
        TaskVectorAnalysis back = TaskVectorAnalysis.fromJson(analysis.toJson(), null);
        assertEquals(analysis, back);
        assertEquals(analysis.toJson(), back.toJson());
    }

    private static double vector(Tolerance tol, JsonNode want, List<Double> got, String what) {
        assertEquals(want.size(), got.size(), what + " length");
        double worst = 0;
        for (int i = 0; i < got.size(); i++) {
            worst = Math.max(worst, tol.assertClose(want.get(i).asDouble(), got.get(i), what + "[" + i + "]"));
        }
        return worst;
    }

    private static double matrix(Tolerance tol, JsonNode want, List<List<Double>> got, String what) {
        assertEquals(want.size(), got.size(), what + " rows");
        double worst = 0;
        for (int i = 0; i < got.size(); i++) {
            worst = Math.max(worst, vector(tol, want.get(i), got.get(i), what + "[" + i + "]"));
        }
        return worst;
    }

    private static List<Double> doubles(JsonNode a) {
        List<Double> out = new ArrayList<>();
        a.forEach(x -> out.add(x.asDouble()));
        return out;
    }

    private static List<String> strings(JsonNode a) {
        List<String> out = new ArrayList<>();
        a.forEach(x -> out.add(x.asText()));
        return out;
    }
}
