package io.mergelab.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.mergelab.report.stats.McNemar;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The report's uncertainty on a one-seed study whose per-example predictions are built so that the discordant
 * counts are known: intervals around every cell, bold only for a significant best, merges against baselines with
 * the exact McNemar p-values of those counts and Holm's adjustment, the interval columns of results.csv, and a
 * results.tex that pdflatex compiles (bin/setup installs it).
 */
public class ReportStatisticsTest {
    private static final int N = 400;
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void intervalsBoldOnlyWhenSignificantAndMergesAgainstBaselines(@TempDir Path tmp) throws Exception {
        Path study = tmp.resolve("s");
        List<Map<String, Object>> steps = new ArrayList<>();
        // "close": 4 examples more right than "base" (b = 4, c = 0 against it): not significant;
        // on "drugs", "strong" is right on 80 examples "base" gets wrong (b = 80, c = 0): significant
        result(study, steps, "base", "variant", "yelp", correctFirst(280));
        result(study, steps, "close", "merge", "yelp", correctFirst(284));
        result(study, steps, "base", "variant", "drugs", correctFirst(280));
        result(study, steps, "strong", "merge", "drugs", correctFirst(360));
        Files.writeString(study.resolve("plan.json"), JSON.writeValueAsString(Map.of("study", "s", "steps", steps)));

        Path out = tmp.resolve("report");
        new StudyReport(new StudyReport.Settings("accuracy", "test", false, null, Map.of("strong", "Strong (ours)"), 3,
                2000)).write(study, null, out);
        String md = Files.readString(out.resolve("results.md"));

        // yelp: close (0.710) is best but not significantly better than base (0.700): no bold
        assertTrue(md.contains("| close | merge | 0.710 ["), md);
        assertFalse(md.contains("**0.710"), md);
        // drugs: the display name from the settings, in bold (p = 2 · 0.5^80)
        assertTrue(md.contains("| Strong (ours) | merge | – | **0.900 ["), md);

        double pClose = McNemar.exact(N, 4, 0).pValue();
        double pStrong = McNemar.exact(N, 80, 0).pValue();
        List<String> sig = Files.readAllLines(out.resolve("significance.csv"));
        assertEquals("merge,baseline,dataset,test,n,difference,p_value,p_holm", sig.get(0));
        assertEquals(3, sig.size(), String.join("\n", sig));
        String[] close = sig.get(1).split(",");
        assertEquals(List.of("close", "base", "yelp", "exact McNemar", "400"), List.of(close).subList(0, 5));
        assertEquals(0.01, Double.parseDouble(close[5]), 1e-9);
        assertEquals(pClose, Double.parseDouble(close[6]), 1e-5 * pClose);
        // Holm over two: the larger p (close) is multiplied by 1, the smaller by 2
        assertEquals(Math.min(1, Math.max(pClose, 2 * pStrong)), Double.parseDouble(close[7]), 1e-5);
        String[] strong = sig.get(2).split(",");
        assertEquals(pStrong, Double.parseDouble(strong[6]), 1e-5 * pStrong);
        assertEquals(2 * pStrong, Double.parseDouble(strong[7]), 1e-5 * pStrong);
        assertTrue(md.contains("| Strong (ours) | base | drugs | +0.2000 |") && md.contains("| better |"), md);
        assertTrue(md.contains("| close | base | yelp | +0.0100 |") && md.contains("| n.s. |"), md);

        // results.csv: every row's bootstrap interval around its accuracy, as in the Markdown cell
        List<String> csv = Files.readAllLines(out.resolve("results.csv"));
        List<String> header = List.of(csv.get(0).split(","));
        for (String line : csv.subList(1, csv.size())) {
            String[] f = line.split(",", -1);
            double acc = Double.parseDouble(f[header.indexOf("accuracy")]);
            double lo = Double.parseDouble(f[header.indexOf("accuracy_ci_low")]);
            double hi = Double.parseDouble(f[header.indexOf("accuracy_ci_high")]);
            assertTrue(lo < acc && acc < hi && hi - lo < 0.12 && hi - lo > 0.04, line);
            String cell = String.format(java.util.Locale.ROOT, "%.3f [%.3f, %.3f]", acc, lo, hi);
            assertTrue(md.contains(cell), cell + " in\n" + md);
            assertFalse(f[header.indexOf("f1_macro_ci_low")].isEmpty(), line);
        }

        String tex = Files.readString(out.resolve("results.tex"));
        assertTrue(tex.contains("\\label{tab:s-significance}") && tex.contains("Strong (ours) & base & drugs & +0.200 & "),
                tex);
        compiles(out.resolve("results.tex"), tmp.resolve("latex"), "tab:s-main");
    }

    /** The report's results.tex inside a minimal article compiles with pdflatex, without errors. */
    public static void compiles(Path tex, Path dir, String label) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("paper.tex"), "\\documentclass{article}\n\\usepackage{booktabs}\n"
                + "\\usepackage[utf8]{inputenc}\n\\begin{document}\n\\input{" + tex.toAbsolutePath() + "}\n"
                + "Table~\\ref{" + label + "}.\n\\end{document}\n");
        String log = "";
        for (int pass = 0; pass < 2; pass++) { // the second pass resolves \\ref to the table's \\label
            Process p = new ProcessBuilder("pdflatex", "-interaction=nonstopmode", "-halt-on-error", "paper.tex")
                    .directory(dir.toFile()).redirectErrorStream(true).start();
            log = new String(p.getInputStream().readAllBytes());
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "pdflatex did not finish");
            assertEquals(0, p.exitValue(), "pdflatex (bin/setup installs it) failed on " + tex + ":\n" + log);
        }
        assertTrue(Files.size(dir.resolve("paper.pdf")) > 1000);
        assertFalse(log.contains("undefined"), log);
    }

    /** Predictions right on the first {@code correct} of N examples (gold: alternating 0/1). */
    private static int[][] correctFirst(int correct) {
        int[] gold = new int[N];
        int[] pred = new int[N];
        for (int i = 0; i < N; i++) {
            gold[i] = i % 2;
            pred[i] = i < correct ? gold[i] : 1 - gold[i];
        }
        return new int[][] {gold, pred};
    }

    private static void result(Path study, List<Map<String, Object>> steps, String model, String role, String ds,
                               int[][] goldPred) throws IOException {
        String id = "evaluate-" + steps.size();
        Path dir = Files.createDirectories(study.resolve(id));
        int[] gold = goldPred[0];
        int[] pred = goldPred[1];
        float[][] logits = new float[N][];
        int right = 0;
        int[][] conf = new int[2][2];
        for (int i = 0; i < N; i++) {
            logits[i] = pred[i] == 0 ? new float[] {1.5f, -0.5f} : new float[] {-0.25f, 0.75f};
            right += pred[i] == gold[i] ? 1 : 0;
            conf[gold[i]][pred[i]]++;
        }
        Files.writeString(dir.resolve("logits.json"), JSON.writeValueAsString(Map.of("gold", gold, "logits", logits)));
        double acc = (double) right / N;
        EvalRecord r = new EvalRecord(model, role, role, ds, "test", 1, null, Map.of(), Map.of("accuracy", acc,
                "f1_macro", acc, "loss", 0.5, "ece", 0.1, "num_examples", (double) N), List.of("neg", "pos"), conf);
        Files.writeString(dir.resolve(EvalRecord.FILE), r.toJson());
        Files.writeString(dir.resolve("_done.json"), "{}");
        steps.add(Map.of("id", id, "kind", "evaluate", "label", id, "deps", List.of(), "meta", Map.of()));
    }
}
