package io.mergelab.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reports built from a study folder on disk: tables with best-in-bold and mean ± std over seeds, and PNGs. */
public class StudyReportTest {

    /** A study folder as the pipeline leaves it: plan.json, step folders with result.json and _done.json. */
    public static Path fakeStudy(Path dir, String study, double shift) throws IOException {
        List<Map<String, Object>> steps = new ArrayList<>();
        int n = 0;
        for (long seed : new long[] {1, 2}) {
            for (String ds : List.of("yelp", "drugs")) {
                Object[][] rows = {
                    {"v0", "variant", "variant", null, Map.of(), 0.70},
                    {"ties-d0.5", "merge", "ties", "grid", Map.of("density", 0.5, "lambda", 1.0), 0.74},
                    {"ties-d0.9", "merge", "ties", "grid", Map.of("density", 0.9, "lambda", 1.0), 0.78},
                    {"ensemble", "ensemble", "ensemble", null, Map.of(), 0.76}};
                for (Object[] r : rows) {
                    String id = "evaluate-" + (n++);
                    double acc = (Double) r[5] + shift + (seed == 2 ? 0.02 : 0) + (ds.equals("drugs") ? -0.3 : 0);
                    @SuppressWarnings("unchecked")
                    Map<String, Object> p = (Map<String, Object>) r[4];
                    Map<String, Double> params = new LinkedHashMap<>();
                    p.forEach((k, v) -> params.put(k, ((Number) v).doubleValue()));
                    int k = ds.equals("drugs") ? 3 : 2;
                    int[][] conf = new int[k][k];
                    for (int i = 0; i < k; i++) {
                        conf[i][i] = 40;
                        conf[i][(i + 1) % k] = 10;
                    }
                    EvalRecord rec = new EvalRecord((String) r[0], (String) r[1], (String) r[2], ds, "test", seed,
                            (String) r[3], params, Map.of("accuracy", acc, "f1_macro", acc - 0.01, "loss", 0.5,
                            "ece", 0.1, "num_examples", 100.0), k == 2 ? List.of("negative", "positive")
                            : List.of("low", "mid", "high"), conf);
                    Path stepDir = dir.resolve(id);
                    Files.createDirectories(stepDir);
                    Files.writeString(stepDir.resolve(EvalRecord.FILE), rec.toJson());
                    Files.writeString(stepDir.resolve("_done.json"), "{}");
                    steps.add(Map.of("id", id, "kind", "evaluate", "label", id, "deps", List.of(), "meta", Map.of()));
                }
            }
        }
        Files.writeString(dir.resolve("plan.json"), new ObjectMapper().writeValueAsString(
                Map.of("study", study, "steps", steps)));
        return dir;
    }

    @Test
    void writesCsvMarkdownLatexAndReadablePngs(@TempDir Path tmp) throws IOException {
        Path study = fakeStudy(tmp.resolve("s"), "s", 0);
        Path out = tmp.resolve("report");
        new StudyReport(new StudyReport.Settings("accuracy", "test", true)).write(study, null, out);

        List<String> csv = Files.readAllLines(out.resolve("results.csv"));
        assertEquals(1 + 16, csv.size());
        assertTrue(csv.get(0).startsWith("model,role,method,dataset,split,seed,sweep,density,weight,lambda,accuracy"));

        String md = Files.readString(out.resolve("results.md"));
        // ties-d0.9 is best on both datasets: mean of 0.78 and 0.80 = 0.79, sample std 0.0141; Student t interval
        // over the 2 seeds 0.79 ± t(0.975, 1) 12.706 · 0.0141 / √2 = ± 0.127; in bold: 0.02 above the runner-up
        // (ensemble) in both seeds, a paired t-test's p of 0
        assertTrue(md.contains("| ties-d0.9 | merge | **0.790 ± 0.014 [0.663, 0.917]** | **0.490 ± 0.014 [0.363, 0.617]** |"),
                md);
        assertTrue(md.contains("| v0 | variant | 0.710 ± 0.014 [0.583, 0.837] | 0.410 ± 0.014 [0.283, 0.537] |"), md);
        String tex = Files.readString(out.resolve("results.tex"));
        assertTrue(tex.contains("ties-d0.9 & merge & \\textbf{0.790} $\\pm$ 0.014 {\\scriptsize[0.663, 0.917]}"), tex);
        assertTrue(tex.contains("\\toprule") && tex.contains("\\label{tab:s-main}")
                && tex.contains("\\caption{Accuracy on the test split (yelp: 100 examples, drugs: 100 examples), 2 seeds"),
                tex);

        for (String png : List.of("accuracy_yelp.png", "accuracy_drugs.png", "sweep_grid_density_yelp.png",
                "confusion_best_model_drugs.png", "confusion_best_merge_yelp.png")) {
            BufferedImage img = ImageIO.read(out.resolve("plots").resolve(png).toFile());
            assertNotNull(img, png);
            assertTrue(img.getWidth() >= 400 && img.getHeight() >= 400, png);
        }
    }

    @Test
    void onlyFinishedStepsAreReported(@TempDir Path tmp) throws IOException {
        Path study = fakeStudy(tmp.resolve("s"), "s", 0);
        Files.delete(study.resolve("evaluate-0/_done.json"));
        StudyResults r = StudyResults.load(study, null);
        assertEquals(15, r.records().size());
    }

    @Test
    void comparesTwoStudiesCellByCell(@TempDir Path tmp) throws IOException {
        Path a = fakeStudy(tmp.resolve("a"), "a", 0);
        Path b = fakeStudy(tmp.resolve("b"), "b", 0.05);
        String md = StudyComparison.markdown(a, b, "accuracy", "test");
        // B is 0.05 above A in both seeds: a paired t-test over the 2 seeds, p = 0 (constant difference)
        assertTrue(md.contains("| ties-d0.9 | yelp | 0.7900 ± 0.0141 | 0.8400 ± 0.0141 | +0.0500 | 0 | paired t, 2 seeds |"),
                md);
    }
}
