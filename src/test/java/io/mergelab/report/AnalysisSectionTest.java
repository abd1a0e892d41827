package io.mergelab.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The report's task-vector section from a study folder as the pipeline leaves it (an analyze step with
 * analysis/analysis.json and merges.json, evaluations with result.json): retention and the measures beside it,
 * checked against values worked out by hand.
 */
class AnalysisSectionTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void retentionSitsBesideTheMergedVariantsSimilarityAndConflicts(@TempDir Path tmp) throws IOException {
        Path study = tmp.resolve("s");
        List<Map<String, Object>> steps = new ArrayList<>();
        // variants a, b on yelp and c on amazon; merge m1 of all three at density 0.5, m2 of a and b untrimmed
        eval(study, steps, "a", "variant", "yelp", 0.80);
        eval(study, steps, "b", "variant", "yelp", 0.60);
        eval(study, steps, "c", "variant", "amazon", 0.90);
        eval(study, steps, "m1", "merge", "yelp", 0.63);
        eval(study, steps, "m1", "merge", "amazon", 0.81);
        eval(study, steps, "m2", "merge", "yelp", 0.77);
        Path analyze = Files.createDirectories(study.resolve("analyze-1/analysis"));
        Files.writeString(study.resolve("analyze-1/_done.json"), "{}");
        steps.add(Map.of("id", "analyze-1", "kind", "analyze", "label", "analyze", "deps", List.of(),
                "meta", Map.of("seed", 3)));
        Files.writeString(analyze.resolve("analysis.json"), """
                {"variants": ["a", "b", "c"],
                 "model": {"tensors": 5, "coordinates": 1000, "l2Norm": [1.0, 2.0, 3.0],
                   "cosine": [[1, 0.5, 0.1], [0.5, 1, 0.3], [0.1, 0.3, 1]],
                   "signConflicts": [
                     {"trimDensity": 1.0, "anyPair": 0.4, "pairwise": [[0, 0.2, 0.3], [0.2, 0, 0.25], [0.3, 0.25, 0]]},
                     {"trimDensity": 0.5, "anyPair": 0.1, "pairwise": [[0, 0.04, 0.05], [0.04, 0, 0.06], [0.05, 0.06, 0]]}
                   ]}}
                """);
        Files.writeString(analyze.resolve("cosine.png"), "png");
        Files.writeString(study.resolve("analyze-1/merges.json"), """
                {"seed": 3, "variants": ["a", "b", "c"], "merges": [
                  {"name": "m1", "method": "ties", "models": ["a", "b", "c"], "density": 0.5},
                  {"name": "m2", "method": "linear", "models": ["a", "b"], "density": null}]}
                """);
        Files.writeString(study.resolve("plan.json"), JSON.writeValueAsString(Map.of("study", "s", "steps", steps)));

        Path out = tmp.resolve("report");
        new StudyReport(new StudyReport.Settings("accuracy", "test", false)).write(study, null, out);

        List<String> csv = Files.readAllLines(out.resolve("analysis/retention.csv"));
        assertEquals(4, csv.size(), String.join("\n", csv)); // header, m1 yelp, m1 amazon, m2 yelp
        // m1 on yelp: 0.63 / mean(0.80, 0.60) = 0.9, / best 0.80 = 0.7875; cosine mean(0.5, 0.1, 0.3) = 0.3;
        // conflicts at its density 0.5: mean(0.04, 0.05, 0.06) = 0.05
        assertRow(csv.get(1), "m1", "yelp", 0.63, 0.70, 0.80, 0.9, 0.7875, 0.3, 0.05, "0.50");
        // m1 on amazon: only c is scored there: 0.81 / 0.90 = 0.9
        assertRow(csv.get(2), "m1", "amazon", 0.81, 0.90, 0.90, 0.9, 0.9, 0.3, 0.05, "0.50");
        // m2 (a, b) has no density: untrimmed conflicts of the pair, 0.2; cosine 0.5
        assertRow(csv.get(3), "m2", "yelp", 0.77, 0.70, 0.80, 1.1, 0.9625, 0.5, 0.2, "");

        String md = Files.readString(out.resolve("results.md"));
        assertTrue(md.contains("## Why the merges work: task vectors"), md);
        assertTrue(md.contains("| m1 | yelp | 3 | 0.6300 | 0.900 | 0.788 | 0.300 | 0.0500 (d 0.50) |"), md);
        assertTrue(md.contains("| untrimmed | 0.4000 |") && md.contains("| 0.50 | 0.1000 |"), md);
        // retention 0.9, 0.9, 1.1 against cosine 0.3, 0.3, 0.5 and conflicts 0.05, 0.05, 0.2: both rise together
        assertTrue(md.contains("retention vs mean cosine: Pearson r = 1.00, Spearman ρ = 1.00, n = 3; vs sign conflicts: "
                + "Pearson r = 1.00, Spearman ρ = 1.00, n = 3."), md);
        assertTrue(Files.isRegularFile(out.resolve("analysis/analysis.json")));
        assertFalse(Files.exists(out.resolve("analysis/cosine.png")), "no figures copied when plots are off");
    }

    @Test
    void correlationNeedsThreePointsThatVary() {
        var r = new AnalysisSection.Retention("m", "ties", "d", 1, 0.5, 0.5, 0.5, 0.1, 0.2, null);
        assertTrue(Double.isNaN(AnalysisSection.correlation(List.of(r, r, r), true)[0]), "constant x");
        var s = new AnalysisSection.Retention("m", "ties", "d", 1, 0.6, 0.5, 0.5, 0.3, 0.1, null);
        var t = new AnalysisSection.Retention("m", "ties", "d", 1, 0.7, 0.5, 0.5, 0.5, 0.0, null);
        assertEquals(1.0, AnalysisSection.correlation(List.of(r, s, t), true)[0], 1e-12);
        assertEquals(-1.0, AnalysisSection.correlation(List.of(r, s, t), false)[0], 1e-12);
        assertTrue(Double.isNaN(AnalysisSection.correlation(List.of(r, s), true)[0]), "two points");
    }

    private static void assertRow(String line, String merge, String ds, double score, double mean, double best,
                                  double vsMean, double vsBest, double cosine, double conflict, String density) {
        String[] f = line.split(",", -1);
        assertEquals(merge, f[0], line);
        assertEquals(ds, f[2], line);
        double[] want = {score, mean, best, vsMean, vsBest, cosine, conflict};
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], Double.parseDouble(f[5 + i]), 1e-6, line + " column " + (5 + i));
        }
        assertEquals(density, f[12], line);
    }

    private static void eval(Path study, List<Map<String, Object>> steps, String model, String role, String ds,
                             double acc) throws IOException {
        String id = "evaluate-" + steps.size();
        Path dir = Files.createDirectories(study.resolve(id));
        EvalRecord r = new EvalRecord(model, role, role.equals("merge") ? "ties" : role, ds, "test", 3, null,
                Map.of(), Map.of("accuracy", acc, "f1_macro", acc, "loss", 0.5, "ece", 0.1, "num_examples", 100.0),
                List.of("n", "p"), new int[][] {{50, 0}, {0, 50}});
        Files.writeString(dir.resolve(EvalRecord.FILE), r.toJson());
        Files.writeString(dir.resolve("_done.json"), "{}");
        steps.add(Map.of("id", id, "kind", "evaluate", "label", id, "deps", List.of(), "meta", Map.of()));
    }
}
