package io.mergelab.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The paper's table: rows = models/methods, columns = datasets, one metric on one split, mean ± std over
 * seeds, and per column the best row (highest, or lowest for loss and ECE).
 */
public final class MainTable {
    private final String metric;
    private final String split;
    private final List<String> rows;
    private final List<String> columns;
    private final Map<String, Map<String, Cell>> cells = new LinkedHashMap<>();
    private final Map<String, String> roles = new LinkedHashMap<>();

    public MainTable(StudyResults results, String metric, String split) {
        this.metric = metric;
        this.split = split;
        this.columns = results.datasets();
        Map<String, Map<String, List<Double>>> values = new LinkedHashMap<>();
        for (EvalRecord r : results.records()) {
            if (!r.split().equals(split)) {
                continue;
            }
            roles.putIfAbsent(r.model(), r.role());
            values.computeIfAbsent(r.model(), k -> new LinkedHashMap<>())
                    .computeIfAbsent(r.dataset(), k -> new ArrayList<>()).add(r.metric(metric));
        }
        this.rows = new ArrayList<>(values.keySet());
        values.forEach((row, byCol) -> {
            Map<String, Cell> out = new LinkedHashMap<>();
            byCol.forEach((col, v) -> out.put(col, Cell.of(v)));
            cells.put(row, out);
        });
    }

    public String metric() {
        return metric;
    }

    public String split() {
        return split;
    }

    public List<String> rows() {
        return rows;
    }

    public List<String> columns() {
        return columns;
    }

    public String role(String row) {
        return roles.get(row);
    }

    public Cell cell(String row, String column) {
        return cells.getOrDefault(row, Map.of()).get(column);
    }

    public static boolean lowerIsBetter(String metric) {
        return metric.equals("loss") || metric.equals("ece");
    }

    /** The best row of a column (null when the column is empty); {@code role} null means any role. */
    public String best(String column, String role) {
        String best = null;
        double bestValue = 0;
        for (String r : rows) {
            Cell c = cell(r, column);
            if (c == null || Double.isNaN(c.mean()) || (role != null && !role.equals(roles.get(r)))) {
                continue;
            }
            boolean better = best == null || (lowerIsBetter(metric) ? c.mean() < bestValue : c.mean() > bestValue);
            if (better) {
                best = r;
                bestValue = c.mean();
            }
        }
        return best;
    }
}
