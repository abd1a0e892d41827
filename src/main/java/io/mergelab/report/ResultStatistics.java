package io.mergelab.report;

import io.mergelab.report.stats.Bootstrap;
import io.mergelab.report.stats.BootstrapConfig;
import io.mergelab.report.stats.BootstrapInterval;
import io.mergelab.report.stats.HolmBonferroni;
import io.mergelab.report.stats.McNemar;
import io.mergelab.report.stats.McNemarResult;
import io.mergelab.report.stats.Metric;
import io.mergelab.report.stats.PairedBootstrapResult;
import io.mergelab.report.stats.PairedComparison;
import io.mergelab.report.stats.PairedTTest;
import io.mergelab.report.stats.SeedStatistics;
import io.mergelab.report.stats.SeedSummary;
import io.mergelab.report.stats.Significance;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The uncertainty of the main table (docs/statistics.md): a 95 % interval for every cell and paired tests between
 * rows, over test examples when a cell has one seed (percentile bootstrap; exact McNemar for accuracy, paired
 * bootstrap for macro-F1) and across seeds when it has several (Student t interval; paired t-test over the seeds
 * both rows have). Only accuracy and macro-F1 are resampled; for other metrics there are no intervals or tests.
 * The bootstrap's seed is fixed, so a report is the same every time it is written.
 */
final class ResultStatistics {
    /** A paired comparison of row {@code a} against row {@code b} on one dataset; {@code test} says which. */
    record Comparison(String a, String b, String dataset, String test, double difference, double pValue, int n)
            implements PairedComparison {
    }

    /** A cell's interval; {@code basis} says over what (examples or seeds). */
    record CellInterval(double lower, double upper, String basis) {
    }

    private final StudyResults results;
    private final MainTable table;
    private final Metric metric;
    private final Bootstrap bootstrap;
    private final Significance significance = Significance.DEFAULT;
    private final Map<EvalRecord, Predictions> predictions = new HashMap<>();
    // the tables, the figures and the CSV ask for the same cells and columns: each is resampled once
    private final Map<String, Optional<CellInterval>> cellIntervals = new HashMap<>();
    private final Map<String, Boolean> significantBest = new HashMap<>();

    ResultStatistics(StudyResults results, MainTable table, int resamples) {
        this.results = results;
        this.table = table;
        this.metric = metricOf(table.metric());
        this.bootstrap = new Bootstrap(BootstrapConfig.DEFAULT.withResamples(resamples));
    }

    /** The resampled form of a metric, or null when it is not one the statistics cover. */
    static Metric metricOf(String metric) {
        return switch (metric) {
            case "accuracy" -> Metric.ACCURACY;
            case "f1_macro", "macro_f1" -> Metric.MACRO_F1;
            default -> null;
        };
    }

    boolean covered() {
        return metric != null;
    }

    double alpha() {
        return significance.alpha();
    }

    int resamples() {
        return bootstrap.config().resamples();
    }

    /** The 95 % interval of a main-table cell, or empty (no such cell, metric not covered, no predictions). */
    Optional<CellInterval> interval(String row, String column) {
        return cellIntervals.computeIfAbsent(row + "\u0000" + column, k -> computeInterval(row, column));
    }

    private Optional<CellInterval> computeInterval(String row, String column) {
        List<EvalRecord> recs = records(row, column);
        if (metric == null || recs.isEmpty()) {
            return Optional.empty();
        }
        if (recs.size() > 1) {
            SeedSummary s = SeedStatistics.summarize(recs.stream().mapToDouble(r -> r.metric(table.metric())).toArray());
            return s.interval().map(i -> new CellInterval(i.lower(), i.upper(), recs.size() + " seeds"));
        }
        return interval(recs.get(0)).map(b -> new CellInterval(b.lower(), b.upper(), "examples"));
    }

    /** The bootstrap interval of one result over its test examples (empty without per-example predictions). */
    Optional<BootstrapInterval> interval(EvalRecord r) {
        return interval(r, metric);
    }

    Optional<BootstrapInterval> interval(EvalRecord r, Metric m) {
        Predictions p = predictions(r);
        if (p == null || m == null) {
            return Optional.empty();
        }
        return Optional.of(bootstrap.interval(p.gold(), p.predicted(), r.labels().size(), m));
    }

    /**
     * Row {@code a} against row {@code b} on {@code column}: a paired t-test over their common seeds when there
     * are at least two, else a test on the shared seed's examples; empty when they share no seed or examples.
     */
    Optional<Comparison> compare(String a, String b, String column) {
        return compare(a, records(a, column), b, records(b, column), column, table.metric(), metric, this::predictions,
                bootstrap);
    }

    /**
     * Results {@code ra} of row {@code a} against {@code rb} of row {@code b} (each one per seed) on {@code column}:
     * a paired t-test over their common seeds when there are at least two, else a test on the shared seed's
     * examples (exact McNemar for accuracy, paired bootstrap otherwise); empty when they share no seed, or the
     * shared seed's predictions are missing or on other examples. {@code compare A B} uses it across two studies.
     */
    static Optional<Comparison> compare(String a, List<EvalRecord> ra, String b, List<EvalRecord> rb, String column,
                                        String metricName, Metric metric,
                                        java.util.function.Function<EvalRecord, Predictions> predictions,
                                        Bootstrap bootstrap) {
        if (metric == null) {
            return Optional.empty();
        }
        Map<Long, EvalRecord> xa = bySeed(ra);
        Map<Long, EvalRecord> xb = bySeed(rb);
        List<Long> seeds = xa.keySet().stream().filter(xb::containsKey).toList();
        if (seeds.size() >= 2) {
            double[] x = seeds.stream().mapToDouble(s -> xa.get(s).metric(metricName)).toArray();
            double[] y = seeds.stream().mapToDouble(s -> xb.get(s).metric(metricName)).toArray();
            Optional<PairedTTest> t = SeedStatistics.pairedTTest(x, y);
            return t.map(r -> new Comparison(a, b, column, "paired t, " + seeds.size() + " seeds", r.difference(),
                    r.pValue(), seeds.size()));
        }
        if (seeds.size() != 1) {
            return Optional.empty();
        }
        EvalRecord x = xa.get(seeds.get(0));
        EvalRecord y = xb.get(seeds.get(0));
        Predictions px = predictions.apply(x);
        Predictions py = predictions.apply(y);
        if (px == null || py == null || !px.sameExamples(py) || x.labels().size() != y.labels().size()) {
            return Optional.empty();
        }
        int k = x.labels().size();
        if (metric == Metric.ACCURACY) {
            McNemarResult m = McNemar.exact(px.gold(), px.predicted(), py.predicted(), k);
            return Optional.of(new Comparison(a, b, column, "exact McNemar", m.difference(), m.pValue(), m.n()));
        }
        PairedBootstrapResult r = bootstrap.pairedTest(px.gold(), px.predicted(), py.predicted(), k, metric);
        return Optional.of(new Comparison(a, b, column, "paired bootstrap", r.difference(), r.pValue(),
                px.gold().length));
    }

    /**
     * Whether the column's best row is significantly better than its runner-up (two-sided p at most 0.05,
     * difference in the best row's favour): only then is it set in bold. False for metrics not covered.
     */
    boolean bestIsSignificant(String column) {
        return significantBest.computeIfAbsent(column, this::computeBestIsSignificant);
    }

    private boolean computeBestIsSignificant(String column) {
        String best = table.best(column, null);
        String runnerUp = runnerUp(column, best);
        if (best == null || runnerUp == null) {
            return best != null && metric != null; // a lone row has nothing to beat
        }
        return compare(best, runnerUp, column).map(significance::isBetter).orElse(false);
    }

    String runnerUp(String column, String best) {
        String second = null;
        double value = 0;
        boolean lower = MainTable.lowerIsBetter(table.metric());
        for (String r : table.rows()) {
            Cell c = table.cell(r, column);
            if (r.equals(best) || c == null || Double.isNaN(c.mean())) {
                continue;
            }
            if (second == null || (lower ? c.mean() < value : c.mean() > value)) {
                second = r;
                value = c.mean();
            }
        }
        return second;
    }

    /**
     * Every merge against every baseline (any other role) on each dataset both have, with Holm's adjustment over
     * the whole family: adjusted p-values in the same order.
     */
    List<Map.Entry<Comparison, Double>> mergesAgainstBaselines() {
        List<Comparison> family = new ArrayList<>();
        for (String column : table.columns()) {
            for (String merge : table.rows()) {
                if (!"merge".equals(table.role(merge)) || table.cell(merge, column) == null) {
                    continue;
                }
                for (String base : table.rows()) {
                    if ("merge".equals(table.role(base)) || table.cell(base, column) == null) {
                        continue;
                    }
                    compare(merge, base, column).ifPresent(family::add);
                }
            }
        }
        double[] adjusted = HolmBonferroni.adjust(family.stream().mapToDouble(Comparison::pValue).toArray());
        List<Map.Entry<Comparison, Double>> out = new ArrayList<>();
        for (int i = 0; i < family.size(); i++) {
            out.add(Map.entry(family.get(i), adjusted[i]));
        }
        return out;
    }

    private List<EvalRecord> records(String row, String column) {
        return results.records().stream().filter(r -> r.model().equals(row) && r.dataset().equals(column)
                && r.split().equals(table.split())).toList();
    }

    private static Map<Long, EvalRecord> bySeed(List<EvalRecord> recs) {
        Map<Long, EvalRecord> m = new LinkedHashMap<>();
        recs.forEach(r -> m.putIfAbsent(r.seed(), r));
        return m;
    }

    private Predictions predictions(EvalRecord r) {
        return predictions.computeIfAbsent(r, x -> Predictions.of(results, x));
    }
}
