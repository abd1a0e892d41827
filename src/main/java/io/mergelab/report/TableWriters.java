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

    static String csv(StudyResults results) throws IOException {
        StringWriter out = new StringWriter();
        List<String> header = new ArrayList<>(List.of("model", "role", "method", "dataset", "split", "seed", "sweep"));
        header.addAll(PARAMS);
        header.addAll(METRICS);
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
                row.add((long) r.metric("num_examples"));
                row.add(results.stepIds().get(i));
                p.printRecord(row);
            }
        }
        return out.toString();
    }

    static String markdown(MainTable t) {
        StringBuilder sb = new StringBuilder();
        sb.append("| model | role |");
        t.columns().forEach(c -> sb.append(' ').append(c).append(" |"));
        sb.append("\n|---|---|");
        t.columns().forEach(c -> sb.append("---:|"));
        sb.append('\n');
        for (String r : t.rows()) {
            sb.append("| ").append(r).append(" | ").append(t.role(r)).append(" |");
            for (String c : t.columns()) {
                Cell cell = t.cell(r, c);
                String text = cell == null ? "–" : cell.text("±");
                sb.append(' ').append(r.equals(t.best(c, null)) ? "**" + text + "**" : text).append(" |");
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    static String latex(MainTable t) {
        StringBuilder sb = new StringBuilder();
        sb.append("% ").append(t.metric()).append(" on ").append(t.split())
                .append("; mean $\\pm$ std over seeds where there are several; best per column in bold\n");
        sb.append("\\begin{tabular}{l").append("r".repeat(t.columns().size())).append("}\n\\hline\n");
        sb.append("Method");
        t.columns().forEach(c -> sb.append(" & ").append(tex(c)));
        sb.append(" \\\\\n\\hline\n");
        for (String r : t.rows()) {
            sb.append(tex(r));
            for (String c : t.columns()) {
                Cell cell = t.cell(r, c);
                String text = cell == null ? "--" : cell.text("$\\pm$");
                sb.append(" & ").append(r.equals(t.best(c, null)) ? "\\textbf{" + text + "}" : text);
            }
            sb.append(" \\\\\n");
        }
        sb.append("\\hline\n\\end{tabular}\n");
        return sb.toString();
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
        StringBuilder sb = new StringBuilder("\\begin{tabular}{lrrrrrr}\n\\hline\nDataset & Labels & Train & Test & "
                + "Mean words & Median words & Std words \\\\\n\\hline\n");
        for (JsonNode s : stats) {
            JsonNode all = split(s, "all");
            sb.append(tex(s.path("name").asText())).append(" & ").append(s.path("labels").size())
                    .append(" & ").append(split(s, "train").path("size").asInt())
                    .append(" & ").append(split(s, "test").path("size").asInt())
                    .append(" & ").append(num2(all.path("words").path("mean").asDouble()))
                    .append(" & ").append(num2(all.path("words").path("median").asDouble()))
                    .append(" & ").append(num2(all.path("words").path("std").asDouble())).append(" \\\\\n");
        }
        return sb.append("\\hline\n\\end{tabular}\n").toString();
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
