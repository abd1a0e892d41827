package io.mergelab.search;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.Color;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/** The search's report files: the best-so-far plot (PNG) and the best recipe as mergekit YAML. */
final class SearchReport {
    private SearchReport() {
    }

    /**
     * Best validation score versus candidates evaluated (step line) over every candidate's score (dots).
     *
     * @param scores metric per candidate in evaluation order (NaN: failed merge, not drawn)
     */
    static Path plot(List<Double> scores, boolean minimise, String title, String metric, Path file) throws IOException {
        System.setProperty("java.awt.headless", "true");
        XYChart chart = new XYChartBuilder().width(800).height(500).title(title)
                .xAxisTitle("candidates evaluated").yAxisTitle("validation " + metric).build();
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
        chart.getStyler().setMarkerSize(6);
        chart.getStyler().setYAxisDecimalPattern("0.000");
        List<Double> xs = new ArrayList<>();
        List<Double> ys = new ArrayList<>();
        List<Double> bx = new ArrayList<>();
        List<Double> by = new ArrayList<>();
        double best = Double.NaN;
        for (int i = 0; i < scores.size(); i++) {
            double s = scores.get(i);
            if (Double.isNaN(s)) {
                continue;
            }
            xs.add(i + 1.0);
            ys.add(s);
            if (Double.isNaN(best) || (minimise ? s < best : s > best)) {
                best = s;
            }
            bx.add(i + 1.0);
            by.add(best);
        }
        if (xs.isEmpty()) {
            xs.add(0.0);
            ys.add(0.0);
            bx.add(0.0);
            by.add(0.0);
        }
        XYSeries all = chart.addSeries("candidate", xs, ys);
        all.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        all.setMarker(SeriesMarkers.CIRCLE);
        all.setMarkerColor(new Color(0x9ECAE1));
        XYSeries b = chart.addSeries("best so far", bx, by);
        b.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Step);
        b.setMarker(SeriesMarkers.NONE);
        b.setLineColor(new Color(0x08519C));
        Path abs = file.toAbsolutePath();
        Files.createDirectories(abs.getParent());
        Path tmp = abs.resolveSibling("." + abs.getFileName() + ".tmp-" + ProcessHandle.current().pid());
        try (OutputStream out = Files.newOutputStream(tmp)) {
            BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG);
        }
        Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return abs;
    }

    /** mergekit-evolve's {@code best_config.yaml}: the recipe, headed by how it was found and how to run it. */
    static String bestConfig(SearchConfig c, SearchJournal.Entry best, String recipe, double testScore) {
        return "# best merge of search '" + c.name() + "' (" + c.strategy().name().toLowerCase(java.util.Locale.ROOT)
                + ", candidate " + best.index() + "): validation " + c.objective().metric() + " "
                + best.score() + ", test " + testScore + "\n"
                + "# merge with: bin/mergelab merge best_config.yaml OUT_DIR --seed " + best.mergeSeed() + "\n"
                + recipe;
    }
}
