package io.mergelab.report;

import io.mergelab.report.stats.Bootstrap;
import io.mergelab.report.stats.BootstrapConfig;
import io.mergelab.report.stats.McNemar;
import io.mergelab.report.stats.Metric;
import io.mergelab.report.stats.SeedStatistics;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
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

    /** {p, test} of B against A for one cell, or {"–", why}. */
    private static String[] test(StudyResults a, StudyResults b, String row, String col, String split, String metric,
                                 Metric m, Bootstrap bootstrap) throws IOException {
        Map<Long, EvalRecord> xa = bySeed(a, row, col, split);
        Map<Long, EvalRecord> xb = bySeed(b, row, col, split);
        List<Long> seeds = xa.keySet().stream().filter(xb::containsKey).toList();
        if (seeds.size() >= 2) {
            double[] va = seeds.stream().mapToDouble(s -> xa.get(s).metric(metric)).toArray();
            double[] vb = seeds.stream().mapToDouble(s -> xb.get(s).metric(metric)).toArray();
            return SeedStatistics.pairedTTest(vb, va).map(t -> new String[] {TableWriters.p(t.pValue()),
                    "paired t, " + seeds.size() + " seeds"}).orElse(new String[] {"–", ""});
        }
        if (seeds.size() != 1) {
            return new String[] {"–", "no common seed"};
        }
        Path da = a.stepDir(xa.get(seeds.get(0)));
        Path db = b.stepDir(xb.get(seeds.get(0)));
        if (!Files.isRegularFile(da.resolve(Predictions.FILE)) || !Files.isRegularFile(db.resolve(Predictions.FILE))) {
            return new String[] {"–", "no predictions"};
        }
        Predictions pa = Predictions.read(da);
        Predictions pb = Predictions.read(db);
        int k = xa.get(seeds.get(0)).labels().size();
        if (!pa.sameExamples(pb) || k != xb.get(seeds.get(0)).labels().size()) {
            return new String[] {"–", "different examples"};
        }
        boolean accuracy = m == Metric.ACCURACY;
        double p = accuracy ? McNemar.exact(pa.gold(), pb.predicted(), pa.predicted(), k).pValue()
                : bootstrap.pairedTest(pa.gold(), pb.predicted(), pa.predicted(), k, m).pValue();
        return new String[] {TableWriters.p(p), accuracy ? "exact McNemar" : "paired bootstrap"};
    }

    private static Map<Long, EvalRecord> bySeed(StudyResults r, String row, String col, String split) {
        Map<Long, EvalRecord> out = new LinkedHashMap<>();
        r.records().stream().filter(x -> x.model().equals(row) && x.dataset().equals(col) && x.split().equals(split))
                .forEach(x -> out.putIfAbsent(x.seed(), x));
        return out;
    }

}
