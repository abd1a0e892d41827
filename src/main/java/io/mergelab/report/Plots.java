package io.mergelab.report;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The report's PNG plots, drawn with XChart (headless: no display needed). */
final class Plots {
    private static final List<String> ROLE_ORDER = List.of("variant", "merge", "ensemble", "stacker", "linear_probe",
            "full_finetune", "from_scratch");
    private static final Map<String, Color> ROLE_COLORS = Map.of(
            "variant", new Color(0x8DA0CB), "merge", new Color(0xFC8D62), "ensemble", new Color(0x66C2A5),
            "stacker", new Color(0xA6D854), "linear_probe", new Color(0xB3B3B3), "full_finetune", new Color(0xE78AC3),
            "from_scratch", new Color(0xFFD92F));

    private Plots() {
    }

    static {
        System.setProperty("java.awt.headless", "true");
    }

    /**
     * One dot per model on one dataset, coloured by role, whiskers its 95 % interval (the value ± std over seeds
     * when a metric has no interval), the y-axis zoomed to the data, and a line at the majority-class rate (what
     * predicting the most frequent test label scores) for accuracy. The title states the split and the seeds. A dot
     * plot, not bars: bars zoomed to the data exaggerate differences, and XChart draws the whiskers of only some
     * bars of a stacked category chart.
     */
    static Path scores(MainTable t, ResultStatistics stats, double majority, long seeds, String dataset, Path dir)
            throws IOException {
        List<String> models = t.rows().stream().filter(r -> t.cell(r, dataset) != null).toList();
        XYChart chart = new XYChartBuilder().width(Math.max(700, 95 * models.size() + 250)).height(520)
                .title(label(t.metric()) + " on " + dataset + " (" + t.split() + ", " + seeds
                        + (seeds == 1 ? " seed" : " seeds, mean") + "; whiskers: 95 % interval)")
                .xAxisTitle("model").yAxisTitle(label(t.metric())).build();
        Styler s = chart.getStyler();
        chart.getStyler().setDefaultSeriesRenderStyle(org.knowm.xchart.XYSeries.XYSeriesRenderStyle.Scatter);
        chart.getStyler().setMarkerSize(11);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setPlotGridVerticalLinesVisible(false);
        chart.getStyler().setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        chart.getStyler().setYAxisDecimalPattern("0.00");
        chart.getStyler().setXAxisMin(0.5);
        chart.getStyler().setXAxisMax(models.size() + 0.5);
        // XChart puts ticks at 1, 2, ... here; a model's name at its x, and distinct blanks elsewhere (equal
        // labels make XChart drop them all; rotated labels get clipped, hence room per model instead)
        chart.setCustomXAxisTickLabelsFormatter(x -> {
            long i = Math.round(x);
            return Math.abs(x - i) < 1e-6 && i >= 1 && i <= models.size() ? models.get((int) i - 1)
                    : " ".repeat((int) Math.abs(Math.round(x * 2)) + 1);
        });
        s.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        Map<String, double[]> whisker = new LinkedHashMap<>();
        for (String m : models) {
            Cell c = t.cell(m, dataset);
            double[] w = stats.interval(m, dataset).map(x -> new double[] {c.mean(), x.lower(), x.upper()})
                    .orElse(new double[] {c.mean(), c.mean() - c.std(), c.mean() + c.std()});
            whisker.put(m, w);
            lo = Math.min(lo, w[1]);
            hi = Math.max(hi, w[2]);
        }
        boolean chance = t.metric().equals("accuracy") && !Double.isNaN(majority);
        if (chance) {
            lo = Math.min(lo, majority);
            hi = Math.max(hi, majority);
        }
        if (Double.isFinite(lo)) { // zoomed to the data, on round 0.05 steps
            chart.getStyler().setYAxisMin(Math.floor((lo - 0.02) * 20) / 20);
            double top = Math.ceil((hi + 0.02) * 20) / 20;
            chart.getStyler().setYAxisMax(MainTable.lowerIsBetter(t.metric()) ? top : Math.min(1.0, top));
        }
        for (String role : ROLE_ORDER) {
            List<Double> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            for (int i = 0; i < models.size(); i++) {
                if (role.equals(t.role(models.get(i)))) {
                    x.add(i + 1.0);
                    y.add(whisker.get(models.get(i))[0]);
                }
            }
            if (x.isEmpty()) {
                continue;
            }
            var dots = chart.addSeries(role, x, y);
            dots.setMarker(SeriesMarkers.CIRCLE);
            dots.setMarkerColor(ROLE_COLORS.getOrDefault(role, Color.GRAY).darker());
        }
        // whiskers: a two-point line per model from the interval's lower to its upper end
        for (int i = 0; i < models.size(); i++) {
            double[] w = whisker.get(models.get(i));
            var line = chart.addSeries(models.get(i) + " interval", new double[] {i + 1, i + 1},
                    new double[] {w[1], w[2]});
            line.setXYSeriesRenderStyle(org.knowm.xchart.XYSeries.XYSeriesRenderStyle.Line);
            line.setMarker(SeriesMarkers.NONE);
            line.setLineColor(ROLE_COLORS.getOrDefault(t.role(models.get(i)), Color.GRAY).darker());
            line.setMarkerColor(ROLE_COLORS.getOrDefault(t.role(models.get(i)), Color.GRAY).darker());
            line.setShowInLegend(false);
        }
        if (chance) { // a horizontal line in data units, labelled at the left end
            chart.addAnnotation(new org.knowm.xchart.AnnotationLine(majority, false, false));
            chart.addAnnotation(new org.knowm.xchart.AnnotationText(String.format(java.util.Locale.ROOT,
                    "majority class %.3f", majority), 1.0, majority + 0.01, false));
            chart.getStyler().setAnnotationLineColor(Color.DARK_GRAY);
            chart.getStyler().setAnnotationTextFontColor(Color.DARK_GRAY);
        }
        return save(chart, dir.resolve(file(t.metric() + "_" + dataset)));
    }

    /** Metric versus one swept parameter; a line per method (and per value of the other swept parameters). */
    static Path sweep(String sweep, String param, String metric, String dataset, String split,
                      List<EvalRecord> points, Path dir) throws IOException {
        Map<String, TreeMap<Double, List<Double>>> lines = new LinkedHashMap<>();
        for (EvalRecord r : points) {
            Double x = r.params().get(param);
            if (x == null) {
                continue;
            }
            StringBuilder name = new StringBuilder(r.method());
            for (String other : TableWriters.PARAMS) {
                if (!other.equals(param) && r.params().containsKey(other)) {
                    name.append(", ").append(other).append('=').append(TableWriters.num2(r.params().get(other)));
                }
            }
            lines.computeIfAbsent(name.toString(), k -> new TreeMap<>()).computeIfAbsent(x, k -> new ArrayList<>())
                    .add(r.metric(metric));
        }
        XYChart chart = new XYChartBuilder().width(800).height(500)
                .title(label(metric) + " vs " + param + " — sweep " + sweep + " on " + dataset + " (" + split + ")")
                .xAxisTitle(param).yAxisTitle(label(metric)).build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setMarkerSize(8);
        chart.getStyler().setYAxisDecimalPattern("0.000");
        for (Map.Entry<String, TreeMap<Double, List<Double>>> line : lines.entrySet()) {
            double[] xs = line.getValue().keySet().stream().mapToDouble(Double::doubleValue).toArray();
            double[] ys = line.getValue().values().stream()
                    .mapToDouble(v -> v.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN)).toArray();
            chart.addSeries(line.getKey(), xs, ys).setMarker(SeriesMarkers.CIRCLE);
        }
        return save(chart, dir.resolve(file("sweep_" + sweep + "_" + param + "_" + dataset)));
    }

    /** Confusion matrix (rows = true, columns = predicted) with counts in the cells. */
    static Path confusion(EvalRecord r, String title, String name, Path dir) throws IOException {
        int k = r.labels().size();
        int size = Math.max(420, 60 * k + 220);
        HeatMapChart chart = new HeatMapChartBuilder().width(size + 80).height(size).title(title).build();
        chart.getStyler().setShowValue(true);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setXAxisTitleVisible(true);
        chart.getStyler().setYAxisTitleVisible(true);
        chart.getStyler().setXAxisLabelRotation(k > 4 ? 45 : 0);
        chart.getStyler().setHeatMapValueDecimalPattern("#");
        chart.getStyler().setRangeColors(new Color[] {new Color(0xF7FBFF), new Color(0x9ECAE1), new Color(0x4292C6)});
        chart.getStyler().setValueFontColor(Color.BLACK);
        chart.setXAxisTitle("predicted");
        chart.setYAxisTitle("true");
        List<Number[]> cells = new ArrayList<>();
        int max = 1;
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < k; j++) {
                // y runs bottom-up in XChart; flip so row 0 (first true label) is on top as usual
                cells.add(new Number[] {j, k - 1 - i, r.confusion()[i][j]});
                max = Math.max(max, r.confusion()[i][j]);
            }
        }
        List<String> ys = new ArrayList<>(r.labels());
        java.util.Collections.reverse(ys);
        chart.getStyler().setMin(0);
        chart.getStyler().setMax(max);
        chart.addSeries("count", r.labels(), ys, cells);
        return save(chart, dir.resolve(file(name)));
    }

    static <T extends org.knowm.xchart.internal.chartpart.Chart<?, ?>> Path save(T chart, Path file)
            throws IOException {
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
        // vector copies beside the PNG, for a paper's figures
        String stem = file.toString().substring(0, file.toString().length() - ".png".length());
        org.knowm.xchart.VectorGraphicsEncoder.saveVectorGraphic(chart, stem + ".svg",
                org.knowm.xchart.VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
        org.knowm.xchart.VectorGraphicsEncoder.saveVectorGraphic(chart, stem + ".pdf",
                org.knowm.xchart.VectorGraphicsEncoder.VectorGraphicsFormat.PDF);
        return file;
    }

    static String file(String stem) {
        return stem.replaceAll("[^A-Za-z0-9._-]", "_") + ".png";
    }

    static String label(String metric) {
        return switch (metric) {
            case "accuracy" -> "accuracy";
            case "f1_macro", "macro_f1" -> "macro-F1";
            case "f1_weighted", "weighted_f1" -> "weighted F1";
            case "loss" -> "cross-entropy";
            case "ece" -> "ECE";
            default -> metric;
        };
    }
}
