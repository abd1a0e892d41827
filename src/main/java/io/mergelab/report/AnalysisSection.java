package io.mergelab.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.commons.math3.stat.correlation.PearsonsCorrelation;
import org.apache.commons.math3.stat.correlation.SpearmansCorrelation;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Why a merge works, in the report: the task-vector analysis of the study's variants (the pipeline's
 * {@code analyze} step writes {@code analysis/analysis.json}, its tables and heatmaps, and {@code merges.json})
 * beside each merge's retention. Retention of merge M on dataset D (seed s): M's score / the mean score on D of
 * those of M's variants evaluated on D (a variant is evaluated on its own dataset: the normalised accuracy of merge
 * papers), and / the best of them; beside it the mean pairwise cosine of those variants' task vectors and
 * their mean pairwise sign-conflict fraction after trimming at M's density (untrimmed when M has none). A scatter
 * of retention against each measure states Pearson's and Spearman's correlation with n, one point per merge,
 * dataset and seed.
 */
final class AnalysisSection {
    static final String DIR = "analysis";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One merge on one dataset and seed. {@code density} null: conflicts are untrimmed. */
    record Retention(String merge, String method, String dataset, long seed, double score, double meanVariant,
                     double bestVariant, double meanCosine, double meanConflict, Double density) {
        double vsMean() {
            return score / meanVariant;
        }

        double vsBest() {
            return score / bestVariant;
        }
    }

    private final List<Retention> rows;
    private final List<String> files;
    /** The first seed's analysis.json, as read for its retention rows. */
    private final JsonNode firstAnalysis;

    private AnalysisSection(List<Retention> rows, List<String> files, JsonNode firstAnalysis) {
        this.rows = List.copyOf(rows);
        this.files = List.copyOf(files);
        this.firstAnalysis = firstAnalysis;
    }

    /**
     * Copies the first seed's analysis (tables, heatmaps) into {@code outDir/analysis/}, writes
     * {@code retention.csv} and the scatters there; null when the study has no finished analysis.
     */
    static AnalysisSection write(StudyResults results, MainTable table, Path outDir, boolean plots)
            throws IOException {
        if (results.analyses().isEmpty()) {
            return null;
        }
        List<Retention> rows = new ArrayList<>();
        List<JsonNode> analyses = new ArrayList<>();
        for (Path dir : results.analyses()) {
            JsonNode analysis = JSON.readTree(dir.resolve(DIR).resolve("analysis.json").toFile());
            analyses.add(analysis);
            rows.addAll(retention(results, table, dir, analysis));
        }
        Path target = outDir.resolve(DIR);
        Files.createDirectories(target);
        List<String> files = new ArrayList<>();
        Path first = results.analyses().get(0).resolve(DIR);
        try (var list = Files.list(first)) {
            for (Path f : list.sorted().toList()) {
                String name = f.getFileName().toString();
                if (!plots && (name.endsWith(".png") || name.endsWith(".svg") || name.endsWith(".pdf"))) {
                    continue;
                }
                Files.copy(f, target.resolve(name), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                files.add(DIR + "/" + name);
            }
        }
        Files.writeString(target.resolve("retention.csv"), csv(rows, table.metric()));
        files.add(DIR + "/retention.csv");
        if (plots && !rows.isEmpty()) {
            files.add(DIR + "/" + retentionBars(rows, table, target).getFileName());
        }
        if (plots && rows.size() >= 2) {
            for (boolean cosine : new boolean[] {true, false}) {
                double[] x = rows.stream().mapToDouble(r -> cosine ? r.meanCosine() : r.meanConflict()).toArray();
                if (!constant(x)) { // every merge of the same variants at the same density: nothing to plot
                    files.add(DIR + "/" + scatter(rows, table, cosine, target).getFileName());
                }
            }
        }
        return new AnalysisSection(rows, files, analyses.get(0));
    }

    private static List<Retention> retention(StudyResults results, MainTable table, Path step, JsonNode analysis)
            throws IOException {
        JsonNode merges = JSON.readTree(step.resolve("merges.json").toFile());
        long seed = merges.path("seed").asLong();
        List<String> variants = new ArrayList<>();
        analysis.path("variants").forEach(v -> variants.add(v.asText()));
        JsonNode model = analysis.path("model");
        List<Retention> out = new ArrayList<>();
        for (JsonNode m : merges.path("merges")) {
            String name = m.path("name").asText();
            List<Integer> idx = new ArrayList<>();
            m.path("models").forEach(v -> idx.add(variants.indexOf(v.asText())));
            if (idx.size() < 2 || idx.contains(-1)) {
                continue;
            }
            Double density = m.path("density").isNumber() ? m.path("density").asDouble() : null;
            JsonNode conflicts = conflictsAt(model, density);
            double cos = 0;
            double conflict = 0;
            int pairs = 0;
            for (int a = 0; a < idx.size(); a++) {
                for (int b = a + 1; b < idx.size(); b++) {
                    cos += model.path("cosine").get(idx.get(a)).get(idx.get(b)).asDouble();
                    conflict += conflicts.path("pairwise").get(idx.get(a)).get(idx.get(b)).asDouble();
                    pairs++;
                }
            }
            for (String ds : table.columns()) {
                EvalRecord merged = find(results, name, ds, table.split(), seed);
                List<Double> scores = new ArrayList<>();
                m.path("models").forEach(v -> {
                    EvalRecord r = find(results, v.asText(), ds, table.split(), seed);
                    if (r != null) {
                        scores.add(r.metric(table.metric()));
                    }
                });
                if (merged == null || scores.isEmpty()) { // variants are scored on their own dataset only
                    continue;
                }
                double mean = scores.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
                double best = lowerIsBetter(table.metric())
                        ? scores.stream().mapToDouble(Double::doubleValue).min().orElseThrow()
                        : scores.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
                out.add(new Retention(name, m.path("method").asText(), ds, seed, merged.metric(table.metric()), mean,
                        best, cos / pairs, conflict / pairs,
                        density != null && conflicts.path("trimDensity").asDouble() == density ? density : null));
            }
        }
        return out;
    }

    /** The sign-conflict entry trimmed at {@code density}, else the untrimmed one (trim density 1). */
    private static JsonNode conflictsAt(JsonNode model, Double density) {
        JsonNode untrimmed = null;
        for (JsonNode c : model.path("signConflicts")) {
            double d = c.path("trimDensity").asDouble();
            if (density != null && d == density) {
                return c;
            }
            if (d == 1.0 && untrimmed == null) {
                untrimmed = c;
            }
        }
        return untrimmed;
    }

    private static boolean lowerIsBetter(String metric) {
        return metric.equals("loss") || metric.equals("ece");
    }

    private static EvalRecord find(StudyResults results, String model, String ds, String split, long seed) {
        return results.records().stream().filter(r -> r.model().equals(model) && r.dataset().equals(ds)
                && r.split().equals(split) && r.seed() == seed).findFirst().orElse(null);
    }

    private static String csv(List<Retention> rows, String metric) {
        StringBuilder s = new StringBuilder("merge,method,dataset,seed,metric,score,mean_variant,best_variant,"
                + "retention_vs_mean,retention_vs_best,mean_cosine,mean_sign_conflict,conflict_trim_density\n");
        for (Retention r : rows) {
            s.append(String.format(Locale.ROOT, "%s,%s,%s,%d,%s,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f,%s%n", r.merge(),
                    r.method(), r.dataset(), r.seed(), metric, r.score(), r.meanVariant(), r.bestVariant(),
                    r.vsMean(), r.vsBest(), r.meanCosine(), r.meanConflict(),
                    r.density() == null ? "" : TableWriters.num2(r.density())));
        }
        return s.toString();
    }

    /** Pearson's r and Spearman's rho of retention (vs the mean variant) against a measure; NaN below 3 points. */
    static double[] correlation(List<Retention> rows, boolean cosine) {
        double[] x = rows.stream().mapToDouble(r -> cosine ? r.meanCosine() : r.meanConflict()).toArray();
        double[] y = rows.stream().mapToDouble(Retention::vsMean).toArray();
        if (x.length < 3 || constant(x) || constant(y)) {
            return new double[] {Double.NaN, Double.NaN};
        }
        return new double[] {new PearsonsCorrelation().correlation(x, y), new SpearmansCorrelation().correlation(x, y)};
    }

    private static boolean constant(double[] v) {
        for (double d : v) {
            if (d != v[0]) {
                return false;
            }
        }
        return true;
    }

    private static Path scatter(List<Retention> rows, MainTable table, boolean cosine, Path dir) throws IOException {
        double[] r = correlation(rows, cosine);
        String measure = cosine ? "mean pairwise cosine of the merged task vectors"
                : "mean pairwise sign-conflict fraction (at the merge's density)";
        XYChart chart = new XYChartBuilder().width(720).height(480)
                .title("Merge retention vs " + (cosine ? "task-vector similarity" : "sign conflicts") + " ("
                        + stat(r, rows.size()) + ")")
                .xAxisTitle(measure).yAxisTitle(Plots.label(table.metric()) + " of merge / mean of its variants")
                .build();
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setMarkerSize(9);
        chart.getStyler().setDefaultSeriesRenderStyle(org.knowm.xchart.XYSeries.XYSeriesRenderStyle.Scatter);
        chart.getStyler().setYAxisDecimalPattern("0.00");
        chart.getStyler().setXAxisDecimalPattern(cosine ? "0.00" : "0.000");
        Map<String, List<Retention>> byDataset = new LinkedHashMap<>();
        rows.forEach(x -> byDataset.computeIfAbsent(x.dataset(), k -> new ArrayList<>()).add(x));
        for (Map.Entry<String, List<Retention>> e : byDataset.entrySet()) {
            double[] xs = e.getValue().stream().mapToDouble(x -> cosine ? x.meanCosine() : x.meanConflict()).toArray();
            double[] ys = e.getValue().stream().mapToDouble(Retention::vsMean).toArray();
            chart.addSeries(e.getKey(), xs, ys).setMarker(SeriesMarkers.CIRCLE);
        }
        return Plots.save(chart, dir.resolve(Plots.file(cosine ? "retention_vs_cosine" : "retention_vs_conflict")));
    }

    /**
     * The quantity merge papers report: each merge's score relative to the mean of its variants, per dataset (bars,
     * mean over seeds), with the line at 1 (as good as its variants on average).
     */
    private static Path retentionBars(List<Retention> rows, MainTable table, Path dir) throws IOException {
        List<String> merges = rows.stream().map(Retention::merge).distinct().toList();
        long seeds = rows.stream().map(Retention::seed).distinct().count();
        org.knowm.xchart.CategoryChart chart = new org.knowm.xchart.CategoryChartBuilder()
                .width(Math.max(640, 110 * merges.size() + 260)).height(460)
                .title("Merge " + Plots.label(table.metric()) + " relative to the mean of its variants (" + table.split()
                        + ", " + seeds + (seeds == 1 ? " seed)" : " seeds, mean)"))
                .xAxisTitle("merge").yAxisTitle("merge / mean of its variants").build();
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setYAxisDecimalPattern("0.00");
        chart.getStyler().setPlotGridVerticalLinesVisible(false);
        double lo = 1;
        double hi = 1;
        Map<String, List<Double>> byDataset = new LinkedHashMap<>();
        for (String ds : rows.stream().map(Retention::dataset).distinct().toList()) {
            List<Double> ys = new ArrayList<>();
            for (String m : merges) {
                double v = rows.stream().filter(r -> r.merge().equals(m) && r.dataset().equals(ds))
                        .mapToDouble(Retention::vsMean).average().orElse(0);
                ys.add(v);
                if (v > 0) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
            byDataset.put(ds, ys);
        }
        chart.getStyler().setYAxisMin(Math.floor((lo - 0.02) * 20) / 20);
        chart.getStyler().setYAxisMax(Math.ceil((hi + 0.02) * 20) / 20);
        byDataset.forEach((ds, ys) -> chart.addSeries(ds, merges, ys));
        chart.addAnnotation(new org.knowm.xchart.AnnotationLine(1.0, false, false));
        return Plots.save(chart, dir.resolve(Plots.file("retention")));
    }

    private static String stat(double[] r, int n) {
        return Double.isNaN(r[0]) ? "n = " + n + ", too few points for a correlation"
                : String.format(Locale.ROOT, "Pearson r = %.2f, Spearman ρ = %.2f, n = %d", r[0], r[1], n);
    }

    /** The report's "Why the merges work" section. */
    String markdown(MainTable table) {
        StringBuilder s = new StringBuilder("\n## Why the merges work: task vectors\n\n");
        JsonNode a = firstAnalysis;
        List<String> variants = new ArrayList<>();
        a.path("variants").forEach(v -> variants.add(v.asText()));
        JsonNode model = a.path("model");
        s.append("Task vectors are each variant minus the base (").append(model.path("tensors").asInt())
                .append(" tensors, ").append(String.format(Locale.ROOT, "%,d", model.path("coordinates").asLong()))
                .append(" coordinates; heads excluded; definitions in `analysis/analysis.md`")
                .append(rows.stream().map(Retention::seed).distinct().count() > 1 ? "; first seed shown" : "")
                .append(").\n\n");
        s.append("| variant | ‖τ‖₂ |");
        variants.forEach(v -> s.append(" cos ").append(v).append(" |"));
        s.append("\n|---|---:|").append("---:|".repeat(variants.size())).append('\n');
        for (int i = 0; i < variants.size(); i++) {
            s.append("| ").append(variants.get(i)).append(" | ")
                    .append(String.format(Locale.ROOT, "%.3f", model.path("l2Norm").get(i).asDouble())).append(" |");
            for (int j = 0; j < variants.size(); j++) {
                s.append(String.format(Locale.ROOT, " %.3f |", model.path("cosine").get(i).get(j).asDouble()));
            }
            s.append('\n');
        }
        s.append("\nSign conflicts (fraction of all coordinates where some variants' deltas are positive and others "
                + "negative), before and after TIES trimming of each task vector to its top-d magnitudes:\n\n");
        s.append("| trimmed to density | all variants |\n|---:|---:|\n");
        for (JsonNode c : model.path("signConflicts")) {
            double d = c.path("trimDensity").asDouble();
            s.append("| ").append(d == 1.0 ? "untrimmed" : TableWriters.num2(d)).append(" | ")
                    .append(String.format(Locale.ROOT, "%.4f", c.path("anyPair").asDouble())).append(" |\n");
        }
        if (!rows.isEmpty()) {
            s.append("\nRetention: each merge's ").append(Plots.label(table.metric())).append(" on the ")
                    .append(table.split()).append(" split relative to the mean and to the best of the variants it "
                            + "merged, beside their mean pairwise cosine and sign conflicts:\n\n");
            s.append("| merge | dataset | seed | ").append(Plots.label(table.metric()))
                    .append(" | / mean variant | / best variant | mean cosine | sign conflicts |\n")
                    .append("|---|---|---:|---:|---:|---:|---:|---:|\n");
            for (Retention r : rows) {
                s.append(String.format(Locale.ROOT, "| %s | %s | %d | %.4f | %.3f | %.3f | %.3f | %.4f%s |%n",
                        r.merge(), r.dataset(), r.seed(), r.score(), r.vsMean(), r.vsBest(), r.meanCosine(),
                        r.meanConflict(), r.density() == null ? "" : " (d " + TableWriters.num2(r.density()) + ")"));
            }
            double[] cos = correlation(rows, true);
            double[] con = correlation(rows, false);
            s.append("\nAcross the ").append(rows.size()).append(" merge × dataset × seed points, retention vs mean "
                    + "cosine: ").append(stat(cos, rows.size())).append("; vs sign conflicts: ")
                    .append(stat(con, rows.size())).append(".\n");
        }
        List<String> figures = files.stream().filter(f -> f.endsWith(".png")).toList();
        if (!figures.isEmpty()) {
            s.append('\n');
            figures.forEach(f -> s.append("![").append(f).append("](").append(f).append(")\n"));
        }
        s.append("\nAll tables (norms, per-layer cosine and conflicts, magnitude profile, DARE): `analysis/`.\n");
        return s.toString();
    }
}
