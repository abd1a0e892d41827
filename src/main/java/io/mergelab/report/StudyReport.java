package io.mergelab.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes a study's report from what is on disk: {@code results.csv} (every model × dataset × split),
 * {@code results.md} and {@code results.tex} (main table, dataset statistics), and PNG plots (bars per dataset,
 * sweep lines, confusion matrices of the best model and the best merge).
 */
public final class StudyReport {
    /**
     * @param metric    main-table metric
     * @param split     main-table split
     * @param plots     write figures
     * @param note      one line printed under the title (what the reader must know to read the numbers), or null
     * @param names     display names: a row's (model's) own entry, else its method's (the merge methods' display
     *                  names with the study's report.names over them), else the row as it is
     * @param decimals  digits after the point in the tables
     * @param bootstrap resamples of the bootstrap intervals and paired tests
     */
    public record Settings(String metric, String split, boolean plots, String note, Map<String, String> names,
                           int decimals, int bootstrap) {
        public static final int DEFAULT_DECIMALS = 3;
        public static final int DEFAULT_BOOTSTRAP = 2000;

        public Settings {
            metric = metric.equals("macro_f1") ? "f1_macro" : metric.equals("weighted_f1") ? "f1_weighted" : metric;
            names = Map.copyOf(names);
        }

        public Settings(String metric, String split, boolean plots, String note) {
            this(metric, split, plots, note, Map.of(), DEFAULT_DECIMALS, DEFAULT_BOOTSTRAP);
        }

        public Settings(String metric, String split, boolean plots) {
            this(metric, split, plots, null);
        }
    }

    private final Settings settings;

    public StudyReport(Settings settings) {
        this.settings = settings;
    }

    /** Writes into {@code outDir} (created; files replaced) the report of {@code resultSteps} (null: all). */
    public List<Path> write(Path studyDir, Collection<String> resultSteps, Path outDir) throws IOException {
        StudyResults results = StudyResults.load(studyDir, resultSteps);
        Files.createDirectories(outDir);
        List<Path> written = new ArrayList<>();
        String split = results.records().stream().anyMatch(r -> r.split().equals(settings.split()))
                ? settings.split() : results.records().isEmpty() ? settings.split() : results.records().get(0).split();
        MainTable table = new MainTable(results, settings.metric(), split);
        ResultStatistics stats = new ResultStatistics(results, table, settings.bootstrap());
        written.add(write(outDir.resolve("results.csv"), TableWriters.csv(results, stats)));
        List<Map.Entry<ResultStatistics.Comparison, Double>> tests = stats.mergesAgainstBaselines();
        written.add(write(outDir.resolve("significance.csv"), significanceCsv(tests)));
        List<String> plots = new ArrayList<>();
        if (settings.plots() && !results.records().isEmpty()) {
            Path plotDir = outDir.resolve("plots");
            Files.createDirectories(plotDir);
            long seeds = results.records().stream().map(EvalRecord::seed).distinct().count();
            for (String ds : table.columns()) {
                double majority = results.records().stream().filter(r -> r.dataset().equals(ds)
                        && r.split().equals(table.split())).mapToDouble(r -> r.metric("majority_rate"))
                        .filter(v -> !Double.isNaN(v)).findFirst().orElse(Double.NaN);
                plots.add(rel(outDir, Plots.scores(table, stats, majority, seeds, ds, plotDir)));
            }
            plots.addAll(sweepPlots(results, table, outDir, plotDir));
            plots.addAll(confusionPlots(results, table, outDir, plotDir));
            written.add(plotDir);
        }
        AnalysisSection analysis = AnalysisSection.write(results, table, outDir, settings.plots());
        if (analysis != null) {
            written.add(outDir.resolve(AnalysisSection.DIR));
        }
        written.add(write(outDir.resolve("results.md"), markdown(results, table, stats, tests, plots,
                analysis == null ? "" : analysis.markdown(table))));
        written.add(write(outDir.resolve("results.tex"), latex(results, table, stats, tests)));
        return written;
    }

    private List<String> sweepPlots(StudyResults results, MainTable table, Path outDir, Path plotDir) throws IOException {
        List<String> out = new ArrayList<>();
        Map<String, List<EvalRecord>> bySweep = new LinkedHashMap<>();
        for (EvalRecord r : results.records()) {
            if (r.sweep() != null && r.split().equals(table.split())) {
                bySweep.computeIfAbsent(r.sweep() + "\u0000" + r.dataset(), k -> new ArrayList<>()).add(r);
            }
        }
        for (Map.Entry<String, List<EvalRecord>> e : bySweep.entrySet()) {
            String[] key = e.getKey().split("\u0000");
            for (String param : TableWriters.PARAMS) {
                long distinct = e.getValue().stream().map(r -> r.params().get(param)).filter(v -> v != null)
                        .distinct().count();
                if (distinct > 1) {
                    out.add(rel(outDir, Plots.sweep(key[0], param, table.metric(), key[1], table.split(), e.getValue(),
                            plotDir)));
                }
            }
        }
        return out;
    }

    private List<String> confusionPlots(StudyResults results, MainTable table, Path outDir, Path plotDir)
            throws IOException {
        List<String> out = new ArrayList<>();
        for (String ds : table.columns()) {
            String bestModel = table.best(ds, null);
            String bestMerge = table.best(ds, "merge");
            for (String[] pick : new String[][] {{bestModel, "best model"}, {bestMerge, "best merge"}}) {
                if (pick[0] == null) {
                    continue;
                }
                EvalRecord r = results.records().stream().filter(x -> x.model().equals(pick[0])
                        && x.dataset().equals(ds) && x.split().equals(table.split())).findFirst().orElseThrow();
                out.add(rel(outDir, Plots.confusion(r, "Confusion, " + pick[1] + ": " + pick[0] + " on " + ds + " ("
                        + table.split() + ", seed " + r.seed() + ")", "confusion_" + pick[1].replace(' ', '_') + "_" + ds,
                        plotDir)));
            }
        }
        return out;
    }

    private String name(String row) {
        return settings.names().getOrDefault(row, row);
    }

    /** What the main table shows, in words: the caption of results.tex and the line above the Markdown table. */
    private String caption(StudyResults results, MainTable table, ResultStatistics stats) {
        long seeds = results.records().stream().map(EvalRecord::seed).distinct().count();
        List<Long> examples = table.columns().stream().map(c -> results.records().stream()
                .filter(r -> r.dataset().equals(c) && r.split().equals(table.split()))
                .mapToLong(r -> (long) r.metric("num_examples")).max().orElse(0)).toList();
        StringBuilder s = new StringBuilder(Plots.label(table.metric())).append(" on the ").append(table.split())
                .append(" split (");
        for (int i = 0; i < examples.size(); i++) {
            s.append(i == 0 ? "" : ", ").append(table.columns().get(i)).append(": ").append(examples.get(i))
                    .append(" examples");
        }
        s.append("), ").append(seeds).append(seeds == 1 ? " seed" : " seeds");
        if (seeds > 1) {
            s.append(" (mean ± std)");
        }
        if (stats.covered()) {
            s.append("; in brackets the 95 % interval (").append(seeds > 1 ? "Student t over seeds"
                    : "percentile bootstrap over test examples, " + stats.resamples() + " resamples")
                    .append("). Best per column in bold only when significantly better than the runner-up (")
                    .append(seeds > 1 ? "paired t-test over seeds" : table.metric().equals("accuracy")
                            ? "exact McNemar test" : "paired bootstrap test")
                    .append(", two-sided p ≤ ").append(stats.alpha()).append(")");
        } else {
            s.append("; no intervals or tests for this metric (only accuracy and macro-F1 are resampled)");
        }
        return s.append('.').toString();
    }

    private static String capitalized(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    private static String significanceCsv(List<Map.Entry<ResultStatistics.Comparison, Double>> tests) {
        StringBuilder s = new StringBuilder("merge,baseline,dataset,test,n,difference,p_value,p_holm\n");
        for (Map.Entry<ResultStatistics.Comparison, Double> e : tests) {
            ResultStatistics.Comparison c = e.getKey();
            s.append(String.format(Locale.ROOT, "%s,%s,%s,%s,%d,%.6f,%.6g,%.6g%n", c.a(), c.b(), c.dataset(), c.test(),
                    c.n(), c.difference(), c.pValue(), e.getValue()));
        }
        return s.toString();
    }

    private String markdown(StudyResults results, MainTable table, ResultStatistics stats,
                            List<Map.Entry<ResultStatistics.Comparison, Double>> tests, List<String> plots,
                            String analysis) {
        StringBuilder sb = new StringBuilder();
        sb.append("# Study ").append(results.study()).append("\n\n");
        if (settings.note() != null) {
            sb.append(settings.note()).append("\n\n");
        }
        sb.append("Main table: ").append(caption(results, table, stats)).append(" Rows are models, columns datasets.\n\n");
        sb.append(TableWriters.markdown(table, stats, this::name, settings.decimals())).append('\n');
        for (String ds : table.columns()) {
            String best = table.best(ds, null);
            String bestMerge = table.best(ds, "merge");
            String bestVariant = table.best(ds, "variant");
            sb.append("- ").append(ds).append(": best ").append(name(best));
            if (bestMerge != null) {
                sb.append("; best merge ").append(name(bestMerge)).append(" (")
                        .append(table.cell(bestMerge, ds).text("±")).append(")");
            }
            if (bestVariant != null) {
                sb.append("; best single variant ").append(name(bestVariant)).append(" (")
                        .append(table.cell(bestVariant, ds).text("±")).append(")");
            }
            String bestScratch = table.best(ds, "from_scratch"); // variants fine-tuned from the random-init base
            if (bestScratch != null) {
                sb.append("; best from scratch ").append(bestScratch).append(" (")
                        .append(table.cell(bestScratch, ds).text("±")).append(")");
            }
            sb.append('\n');
        }
        if (!tests.isEmpty()) {
            sb.append("\n## Merges against baselines\n\n").append("Each merge against each baseline on the same test "
                    + "examples (difference = merge − baseline in ").append(Plots.label(table.metric()))
                    .append("), p-values two-sided and Holm-adjusted over all ").append(tests.size())
                    .append(" comparisons (`significance.csv`).\n\n");
            sb.append("| merge | baseline | dataset | difference | p | p (Holm) | test | |\n"
                    + "|---|---|---|---:|---:|---:|---|---|\n");
            for (Map.Entry<ResultStatistics.Comparison, Double> e : tests) {
                ResultStatistics.Comparison c = e.getKey();
                String verdict = e.getValue() <= stats.alpha() ? (c.difference() > 0 ? "better" : "worse") : "n.s.";
                sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %+.4f | %s | %s | %s | %s |%n",
                        name(c.a()), name(c.b()), c.dataset(), c.difference(), TableWriters.p(c.pValue()),
                        TableWriters.p(e.getValue()), c.test(), verdict));
            }
        }
        if (!results.stats().isEmpty()) {
            sb.append("\n## Datasets\n\n").append(TableWriters.statsMarkdown(results.stats()));
        }
        sb.append("\n## All metrics (").append(table.split()).append(")\n\n");
        sb.append("| model | dataset | seed | accuracy | macro-F1 | loss | ECE |\n|---|---|---:|---:|---:|---:|---:|\n");
        for (EvalRecord r : results.records()) {
            if (r.split().equals(table.split())) {
                sb.append(String.format(Locale.ROOT, "| %s | %s | %d | %.4f | %.4f | %.4f | %.4f |%n", r.model(),
                        r.dataset(), r.seed(), r.metric("accuracy"), r.metric("f1_macro"), r.metric("loss"),
                        r.metric("ece")));
            }
        }
        if (!plots.isEmpty()) {
            sb.append("\n## Plots\n\n");
            for (String p : plots) {
                sb.append("![").append(p).append("](").append(p).append(")\n");
            }
        }
        sb.append(analysis);
        sb.append("\nEvery result, with merge parameters and all metrics: `results.csv`.\n");
        return sb.toString();
    }

    private String latex(StudyResults results, MainTable table, ResultStatistics stats,
                         List<Map.Entry<ResultStatistics.Comparison, Double>> tests) {
        String label = results.study().replaceAll("[^A-Za-z0-9]+", "-");
        StringBuilder sb = new StringBuilder("% Study ").append(results.study()).append(" (generated by mergelab). ")
                .append("Needs \\usepackage{booktabs}.\n");
        sb.append("\\begin{table}[t]\n\\centering\n\\small\n")
                .append(TableWriters.latex(table, stats, this::name, settings.decimals()))
                .append("\\caption{").append(TableWriters.tex(capitalized(caption(results, table, stats)))
                        .replace("±", "$\\pm$").replace("≤", "$\\leq$"))
                .append("}\n\\label{tab:").append(label).append("-main}\n\\end{table}\n");
        if (!tests.isEmpty()) {
            sb.append("\n\\begin{table}[t]\n\\centering\n\\small\n\\begin{tabular}{lllrrrl}\n\\toprule\n")
                    .append("Merge & Baseline & Dataset & $\\Delta$ & $p$ & $p_{\\mathrm{Holm}}$ & \\\\\n\\midrule\n");
            for (Map.Entry<ResultStatistics.Comparison, Double> e : tests) {
                ResultStatistics.Comparison c = e.getKey();
                String verdict = e.getValue() <= stats.alpha() ? (c.difference() > 0 ? "better" : "worse") : "n.s.";
                sb.append(TableWriters.tex(name(c.a()))).append(" & ").append(TableWriters.tex(name(c.b())))
                        .append(" & ").append(TableWriters.tex(c.dataset())).append(" & ")
                        .append(String.format(Locale.ROOT, "%+.3f", c.difference())).append(" & ")
                        .append(TableWriters.p(c.pValue())).append(" & ").append(TableWriters.p(e.getValue()))
                        .append(" & ").append(verdict).append(" \\\\\n");
            }
            sb.append("\\bottomrule\n\\end{tabular}\n\\caption{Each merge against each baseline on the same test "
                    + "examples: difference in ").append(Plots.label(table.metric())).append(" (merge $-$ baseline), "
                    + "two-sided $p$ (").append(tests.get(0).getKey().test()).append(") and Holm-adjusted over the ")
                    .append(tests.size()).append(" comparisons.}\n\\label{tab:").append(label)
                    .append("-significance}\n\\end{table}\n");
        }
        if (!results.stats().isEmpty()) {
            sb.append("\n\\begin{table}[t]\n\\centering\n\\small\n").append(TableWriters.statsLatex(results.stats()))
                    .append("\\caption{Descriptive statistics of the datasets.}\n\\label{tab:").append(label)
                    .append("-datasets}\n\\end{table}\n");
        }
        return sb.toString();
    }

    private static Path write(Path file, String content) throws IOException {
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.writeString(tmp, content);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return file;
    }

    private static String rel(Path base, Path file) {
        return base.relativize(file).toString();
    }
}
