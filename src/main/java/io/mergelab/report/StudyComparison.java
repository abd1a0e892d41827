package io.mergelab.report;

import io.mergelab.report.stats.Bootstrap;
import io.mergelab.report.stats.BootstrapConfig;
import io.mergelab.report.stats.Metric;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Compares two studies' main tables cell by cell: A, B and B − A for every (model, dataset) either has, and a
 * paired test where both scored the same test examples (a paired t-test over the seeds both have, when at least
 * two; else exact McNemar for accuracy or a paired bootstrap for macro-F1 on the one shared seed).
 */
public final class StudyComparison {
    private StudyComparison() {
    }

    public static String markdown(Path a, Path b, String metric, String split) throws IOException {
        StudyResults ra = StudyResults.load(a, null);
        StudyResults rb = StudyResults.load(b, null);
        String m = metric.equals("macro_f1") ? "f1_macro" : metric;
        MainTable ta = new MainTable(ra, m, split);
        MainTable tb = new MainTable(rb, m, split);
        Set<String> rows = new LinkedHashSet<>(ta.rows());
        rows.addAll(tb.rows());
        Set<String> cols = new LinkedHashSet<>(ta.columns());
        cols.addAll(tb.columns());
        StringBuilder sb = new StringBuilder();
        sb.append("# ").append(ra.study()).append(" (A) vs ").append(rb.study()).append(" (B): ")
                .append(Plots.label(m)).append(" on ").append(split).append("\n\n");
        sb.append("| model | dataset | A | B | B − A | p | test |\n|---|---|---:|---:|---:|---:|---|\n");
        Metric resampled = ResultStatistics.metricOf(m);
        Bootstrap bootstrap = new Bootstrap(BootstrapConfig.DEFAULT);
        int only = 0;
        for (String r : rows) {
            for (String c : cols) {
                Cell ca = ta.cell(r, c);
                Cell cb = tb.cell(r, c);
                if (ca == null && cb == null) {
                    continue;
                }
                if (ca == null || cb == null) {
                    only++;
                }
                String delta = ca != null && cb != null
                        ? String.format(Locale.ROOT, "%+.4f", cb.mean() - ca.mean()) : "–";
                String[] test = ca != null && cb != null && resampled != null
                        ? test(ra, rb, r, c, split, m, resampled, bootstrap) : new String[] {"–", ""};
                sb.append("| ").append(r).append(" | ").append(c).append(" | ")
                        .append(ca == null ? "–" : ca.text("±")).append(" | ")
                        .append(cb == null ? "–" : cb.text("±")).append(" | ").append(delta).append(" | ")
                        .append(test[0]).append(" | ").append(test[1]).append(" |\n");
            }
        }
        if (only > 0) {
            sb.append("\n").append(only).append(" row(s) exist in only one study (–).\n");
        }
        sb.append("\np: two-sided, B against A, not adjusted for the number of rows; – where the studies share no seed "
                + "or scored different examples.\n");
        return sb.toString();
    }

    /** {p, test} of B against A for one cell, or {"–", ""} where they share no seed or examples. */
    private static String[] test(StudyResults a, StudyResults b, String row, String col, String split, String metric,
                                 Metric m, Bootstrap bootstrap) {
        return ResultStatistics.compare("B", records(b, row, col, split), "A", records(a, row, col, split), col, metric,
                        m, r -> Predictions.of(a.records().contains(r) ? a : b, r), bootstrap)
                .map(c -> new String[] {TableWriters.p(c.pValue()), c.test()}).orElse(new String[] {"–", ""});
    }

    private static List<EvalRecord> records(StudyResults r, String row, String col, String split) {
        return r.records().stream().filter(x -> x.model().equals(row) && x.dataset().equals(col)
                && x.split().equals(split)).toList();
    }
}
