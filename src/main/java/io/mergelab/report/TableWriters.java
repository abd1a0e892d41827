package io.mergelab.report;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

import java.io.IOException;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The study's tables as CSV (every result), Markdown and LaTeX (the main table and dataset statistics). */
final class TableWriters {
    static final List<String> METRICS = List.of("accuracy", "f1_macro", "f1_weighted", "loss", "ece");
    static final List<String> PARAMS = List.of("density", "weight", "lambda");

    private TableWriters() {
    }

    /** The metrics with a 95 % bootstrap interval over test examples in results.csv ({@code <metric>_ci_low/high}). */
    static final List<String> INTERVAL_METRICS = List.of("accuracy", "f1_macro");

    static String csv(StudyResults results, ResultStatistics stats) throws IOException {
        StringWriter out = new StringWriter();
        List<String> header = new ArrayList<>(List.of("model", "role", "method", "dataset", "split", "seed", "sweep"));
        header.addAll(PARAMS);
        header.addAll(METRICS);
        for (String m : INTERVAL_METRICS) {
            header.add(m + "_ci_low");
            header.add(m + "_ci_high");
        }
        header.add("num_examples");
        header.add("step_id");
        try (CSVPrinter p = new CSVPrinter(out, CSVFormat.DEFAULT.builder().setRecordSeparator("\n").get())) {
            p.printRecord(header);
            for (int i = 0; i < results.records().size(); i++) {
                EvalRecord r = results.records().get(i);
                List<Object> row = new ArrayList<>(List.of(r.model(), r.role(), r.method(), r.dataset(), r.split(),
                        r.seed(), r.sweep() == null ? "" : r.sweep()));
                for (String param : PARAMS) {
                    Double v = r.params().get(param);
                    row.add(v == null ? "" : num(v));
                }
                for (String m : METRICS) {
                    row.add(num(r.metric(m)));
                }
                for (String m : INTERVAL_METRICS) {
                    var ci = stats.interval(r, ResultStatistics.metricOf(m));
                    row.add(ci.map(x -> num(x.lower())).orElse(""));
                    row.add(ci.map(x -> num(x.upper())).orElse(""));
                }
                row.add((long) r.metric("num_examples"));
                row.add(results.stepIds().get(i));
                p.printRecord(row);
            }
        }
        return out.toString();
    }

    /**
     * The main table as Markdown: each cell's value with its 95 % interval, the column's best in bold only when it
     * is significantly better than the runner-up ({@link ResultStatistics#bestIsSignificant}).
     */
    static String markdown(MainTable t, ResultStatistics stats, java.util.function.UnaryOperator<String> names,
                           int decimals) {
        StringBuilder sb = new StringBuilder();
        sb.append("| model | role |");
        t.columns().forEach(c -> sb.append(' ').append(c).append(" |"));
        sb.append("\n|---|---|");
        t.columns().forEach(c -> sb.append("---:|"));
        sb.append('\n');
        for (String r : t.rows()) {
            sb.append("| ").append(names.apply(r)).append(" | ").append(t.role(r)).append(" |");
            for (String c : t.columns()) {
                String text = cellText(t, stats, r, c, decimals, "±", "[", ", ", "]");
                sb.append(' ').append(bold(t, stats, r, c) ? "**" + text + "**" : text).append(" |");
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /** The main table as a booktabs LaTeX tabular: value, ± std over seeds, the interval in small type. */
    static String latex(MainTable t, ResultStatistics stats, java.util.function.UnaryOperator<String> names,
                        int decimals) {
        StringBuilder sb = new StringBuilder();
        sb.append("\\begin{tabular}{ll").append("r".repeat(t.columns().size())).append("}\n\\toprule\n");
        sb.append("Method & Role");
        t.columns().forEach(c -> sb.append(" & ").append(tex(c)));
        sb.append(" \\\\\n\\midrule\n");
        String lastRole = null;
        for (String r : t.rows()) {
            if (lastRole != null && !lastRole.equals(t.role(r)) && "merge".equals(t.role(r))) {
                sb.append("\\midrule\n"); // merges apart from the variants above them
            }
            lastRole = t.role(r);
            sb.append(tex(names.apply(r))).append(" & ").append(tex(t.role(r).replace('_', ' ')));
            for (String c : t.columns()) {
                Cell cell = t.cell(r, c);
                String text;
                if (cell == null || Double.isNaN(cell.mean())) {
                    text = "--";
                } else {
                    String value = fixed(cell.mean(), decimals);
                    text = bold(t, stats, r, c) ? "\\textbf{" + value + "}" : value;
                    if (cell.n() > 1) {
                        text += " $\\pm$ " + fixed(cell.std(), decimals);
                    }
                    var ci = stats.interval(r, c);
                    if (ci.isPresent()) {
                        text += " {\\scriptsize[" + fixed(ci.get().lower(), decimals) + ", "
                                + fixed(ci.get().upper(), decimals) + "]}";
                    }
                }
                sb.append(" & ").append(text);
            }
            sb.append(" \\\\\n");
        }
        sb.append("\\bottomrule\n\\end{tabular}\n");
        return sb.toString();
    }

    static boolean bold(MainTable t, ResultStatistics stats, String row, String column) {
        return row.equals(t.best(column, null)) && stats.bestIsSignificant(column);
    }

    static String cellText(MainTable t, ResultStatistics stats, String row, String column, int decimals, String pm,
                           String open, String sep, String close) {
        Cell cell = t.cell(row, column);
        if (cell == null || Double.isNaN(cell.mean())) {
            return "–";
        }
        StringBuilder s = new StringBuilder(fixed(cell.mean(), decimals));
        if (cell.n() > 1) {
            s.append(' ').append(pm).append(' ').append(fixed(cell.std(), decimals));
        }
        stats.interval(row, column).ifPresent(ci -> s.append(' ').append(open).append(fixed(ci.lower(), decimals))
                .append(sep).append(fixed(ci.upper(), decimals)).append(close));
        return s.toString();
    }

    /** A p-value as tables print it: 3 decimals, scientific below 0.001, and 0 as 0. */
    static String p(double p) {
        return p == 0 ? "0" : p < 0.001 ? String.format(Locale.ROOT, "%.1e", p) : String.format(Locale.ROOT, "%.3f", p);
    }

    static String fixed(double v, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    /** The seed study's descriptive statistics table, one row per dataset (all splits together). */
    static String statsMarkdown(List<JsonNode> stats) {
        StringBuilder sb = new StringBuilder("| dataset | labels | train | validation | test | mean words | median words "
                + "| std words | mean tokens |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (JsonNode s : stats) {
            JsonNode all = split(s, "all");
            sb.append("| ").append(s.path("name").asText()).append(" | ").append(s.path("labels").size())
                    .append(" | ").append(split(s, "train").path("size").asInt())
                    .append(" | ").append(split(s, "validation").path("size").asInt())
                    .append(" | ").append(split(s, "test").path("size").asInt())
                    .append(" | ").append(num2(all.path("words").path("mean").asDouble()))
                    .append(" | ").append(num2(all.path("words").path("median").asDouble()))
                    .append(" | ").append(num2(all.path("words").path("std").asDouble()))
                    .append(" | ").append(all.has("tokens") ? num2(all.path("tokens").path("mean").asDouble()) : "–")
                    .append(" |\n");
        }
        return sb.toString();
    }

    static String statsLatex(List<JsonNode> stats) {
        StringBuilder sb = new StringBuilder("\\begin{tabular}{lrrrrrr}\n\\toprule\nDataset & Labels & Train & Test & "
                + "Mean words & Median words & Std words \\\\\n\\midrule\n");
        for (JsonNode s : stats) {
            JsonNode all = split(s, "all");
            sb.append(tex(s.path("name").asText())).append(" & ").append(s.path("labels").size())
                    .append(" & ").append(split(s, "train").path("size").asInt())
                    .append(" & ").append(split(s, "test").path("size").asInt())
                    .append(" & ").append(num2(all.path("words").path("mean").asDouble()))
                    .append(" & ").append(num2(all.path("words").path("median").asDouble()))
                    .append(" & ").append(num2(all.path("words").path("std").asDouble())).append(" \\\\\n");
        }
        return sb.append("\\bottomrule\n\\end{tabular}\n").toString();
    }

    private static JsonNode split(JsonNode stats, String name) {
        for (JsonNode s : stats.path("splits")) {
            if (s.path("split").asText().equals(name)) {
                return s;
            }
        }
        return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }

    static String tex(String s) {
        return s.replace("\\", "\\textbackslash{}").replace("_", "\\_").replace("&", "\\&").replace("%", "\\%")
                .replace("#", "\\#");
    }

    static String num(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.6f", v);
    }

    static String num2(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }
}
