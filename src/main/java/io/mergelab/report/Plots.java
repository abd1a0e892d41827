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

    /** One bar per model on one dataset, coloured by role, with std error bars over seeds. Returns the file. */
    static Path bars(MainTable t, String dataset, Path dir) throws IOException {
        List<String> models = t.rows().stream().filter(r -> t.cell(r, dataset) != null).toList();
        CategoryChart chart = new CategoryChartBuilder().width(Math.max(700, 60 * models.size() + 250)).height(520)
                .title(label(t.metric()) + " on " + dataset + " (" + t.split() + ")")
                .xAxisTitle("model").yAxisTitle(label(t.metric())).build();
        Styler s = chart.getStyler();
        chart.getStyler().setStacked(true);
        chart.getStyler().setXAxisLabelRotation(35);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setPlotGridVerticalLinesVisible(false);
        chart.getStyler().setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        chart.getStyler().setYAxisDecimalPattern("0.00");
        if (!MainTable.lowerIsBetter(t.metric())) {
            chart.getStyler().setYAxisMin(0.0);
            chart.getStyler().setYAxisMax(1.0);
        }
        s.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        boolean seeds = models.stream().anyMatch(m -> t.cell(m, dataset).n() > 1);
        for (String role : ROLE_ORDER) {
            if (models.stream().noneMatch(m -> role.equals(t.role(m)))) {
                continue;
            }
            List<Double> y = new ArrayList<>();
            List<Double> err = new ArrayList<>();
            for (String m : models) {
                Cell c = t.cell(m, dataset);
                boolean mine = role.equals(t.role(m));
                y.add(mine ? c.mean() : 0.0);
                err.add(mine ? c.std() : 0.0);
            }
            var series = seeds ? chart.addSeries(role, models, y, err) : chart.addSeries(role, models, y);
            series.setFillColor(ROLE_COLORS.getOrDefault(role, Color.GRAY));
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
