package io.mergelab.report;

import java.util.List;
import java.util.Locale;

/** One table cell: a metric over seeds (mean, sample std, count). */
public record Cell(double mean, double std, int n) {
    static Cell of(List<Double> values) {
        double mean = values.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        double var = 0;
        for (double v : values) {
            var += (v - mean) * (v - mean);
        }
        double std = values.size() > 1 ? Math.sqrt(var / (values.size() - 1)) : 0;
        return new Cell(mean, std, values.size());
    }

    String text(String plusMinus) {
        if (Double.isNaN(mean)) {
            return "–";
        }
        String m = String.format(Locale.ROOT, "%.4f", mean);
        return n > 1 ? m + " " + plusMinus + " " + String.format(Locale.ROOT, "%.4f", std) : m;
    }
}
