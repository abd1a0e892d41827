package io.mergelab.report;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.style.Styler;

import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Heatmaps as PNG (at 2× for print), SVG and PDF, with values in the cells while they fit; sized so labels stay
 * legible when the figure is scaled to a page's width. The task-vector analysis draws its figures with it.
 */
public final class HeatmapPlots {
    /** Cells above this count get no printed values (they would not fit). */
    private static final int MAX_LABELLED_CELLS = 400;

    static {
        System.setProperty("java.awt.headless", "true");
    }

    private HeatmapPlots() {
    }

    /** Writes {@code dir/stem.png}, {@code .svg} and {@code .pdf}; returns them in that order. */
    public static List<Path> write(Heatmap h, Path dir, String stem) throws IOException {
        HeatMapChart chart = chart(h);
        String base = dir.resolve(Plots.file(stem)).toString().replaceAll("\\.png$", "");
        BitmapEncoder.saveBitmapWithDPI(chart, base + ".png", BitmapEncoder.BitmapFormat.PNG, 200);
        VectorGraphicsEncoder.saveVectorGraphic(chart, base + ".svg", VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
        VectorGraphicsEncoder.saveVectorGraphic(chart, base + ".pdf", VectorGraphicsEncoder.VectorGraphicsFormat.PDF);
        return List.of(Path.of(base + ".png"), Path.of(base + ".svg"), Path.of(base + ".pdf"));
    }

    static HeatMapChart chart(Heatmap h) {
        int cols = h.columns().size();
        int rows = h.rows().size();
        int longest = h.columns().stream().mapToInt(String::length).max().orElse(1);
        boolean rotate = cols > 3 || longest > 12;
        int width = Math.max(Math.max(640, 10 * h.title().length() + 120), Math.min(1400, 90 * cols + 320));
        int height = Math.max(480, Math.min(1600, 34 * rows + 220 + (rotate ? 6 * longest : 0)));
        HeatMapChart chart = new HeatMapChartBuilder().width(width).height(height).title(h.title()).build();
        var s = chart.getStyler();
        s.setChartBackgroundColor(Color.WHITE);
        s.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        s.setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 15));
        s.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        s.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        s.setLegendPosition(Styler.LegendPosition.OutsideE);
        s.setXAxisTitleVisible(true);
        s.setYAxisTitleVisible(true);
        s.setXAxisLabelRotation(rotate ? 35 : 0);
        s.setShowValue(cols * rows <= MAX_LABELLED_CELLS);
        s.setValueFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        s.setValueFontColor(Color.BLACK);
        s.setHeatMapValueDecimalPattern(h.max() - h.min() <= 0.1 ? "0.0000" : "0.000");
        s.setRangeColors(h.min() < 0
                ? new Color[] {new Color(0x2166AC), new Color(0xF7F7F7), new Color(0xB2182B)}
                : new Color[] {new Color(0xFFF5EB), new Color(0xFD8D3C), new Color(0x7F2704)});
        s.setMin(h.min());
        s.setMax(h.max());
        chart.setXAxisTitle(h.columnTitle());
        chart.setYAxisTitle(h.rowTitle());
        List<Number[]> cells = new ArrayList<>();
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                // XChart's y runs bottom-up: flip so the first row is on top
                cells.add(new Number[] {j, rows - 1 - i, h.values().get(i).get(j)});
            }
        }
        List<String> ys = new ArrayList<>(h.rows());
        Collections.reverse(ys);
        chart.addSeries("value", h.columns(), ys, cells);
        return chart;
    }
}
