package io.mergelab.report;

import java.util.List;

/**
 * A heatmap as data: {@code values[row][column]}, rows drawn top to bottom in {@code rows} order, the colour scale
 * from {@code min} to {@code max} ({@code min < 0}: a diverging blue-white-red scale around 0).
 */
public record Heatmap(String title, String columnTitle, String rowTitle, List<String> columns, List<String> rows,
        List<List<Double>> values, double min, double max) {
    public Heatmap {
        columns = List.copyOf(columns);
        rows = List.copyOf(rows);
        values = values.stream().map(List::copyOf).toList();
        int width = columns.size();
        if (values.size() != rows.size() || values.stream().anyMatch(r -> r.size() != width)) {
            throw new IllegalArgumentException("heatmap '" + title + "': values are not " + rows.size() + " rows × "
                    + columns.size() + " columns");
        }
        if (!(min < max)) {
            throw new IllegalArgumentException("heatmap '" + title + "': colour scale " + min + " .. " + max);
        }
    }
}
