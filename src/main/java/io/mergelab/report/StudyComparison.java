package io.mergelab.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Compares two studies' main tables cell by cell: A, B and B − A for every (model, dataset) either has. */
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
        sb.append("| model | dataset | A | B | B − A |\n|---|---|---:|---:|---:|\n");
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
                sb.append("| ").append(r).append(" | ").append(c).append(" | ")
                        .append(ca == null ? "–" : ca.text("±")).append(" | ")
                        .append(cb == null ? "–" : cb.text("±")).append(" | ").append(delta).append(" |\n");
            }
        }
        if (only > 0) {
            sb.append("\n").append(only).append(" row(s) exist in only one study (–).\n");
        }
        return sb.toString();
    }

}
