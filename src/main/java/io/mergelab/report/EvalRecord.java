package io.mergelab.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One model evaluated on one dataset split: the unit of every table and plot. The pipeline writes it as
 * {@code result.json} in an evaluation step's folder; the report reads it back from disk.
 *
 * @param model   the row name: a variant, merge, "ensemble", "stacker", "linear_probe", "full_finetune"
 * @param role    variant | merge | ensemble | stacker | linear_probe | full_finetune | from_scratch
 * @param method  merge method for merges, else the role
 * @param sweep   the sweep a merge point came from, or null
 * @param params  merge parameters (density, weight, lambda) where they apply
 * @param metrics accuracy, f1_macro, f1_weighted, loss, ece, num_examples
 */
public record EvalRecord(String model, String role, String method, String dataset, String split, long seed,
                         String sweep, Map<String, Double> params, Map<String, Double> metrics, List<String> labels,
                         int[][] confusion) {
    public static final String FILE = "result.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    public EvalRecord {
        params = Map.copyOf(params);
        metrics = Map.copyOf(metrics);
        labels = List.copyOf(labels);
    }

    public double metric(String name) {
        Double v = metrics.get(name.equals("macro_f1") ? "f1_macro" : name.equals("weighted_f1") ? "f1_weighted" : name);
        return v == null ? Double.NaN : v;
    }

    public String toJson() throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", model);
        m.put("role", role);
        m.put("method", method);
        m.put("dataset", dataset);
        m.put("split", split);
        m.put("seed", seed);
        m.put("sweep", sweep);
        m.put("params", params);
        m.put("metrics", metrics);
        m.put("labels", labels);
        m.put("confusion", confusion);
        return JSON.writeValueAsString(m) + "\n";
    }

    public static EvalRecord read(Path file) throws IOException {
        JsonNode n = JSON.readTree(file.toFile());
        Map<String, Double> params = new LinkedHashMap<>();
        n.path("params").properties().forEach(e -> params.put(e.getKey(), e.getValue().asDouble()));
        Map<String, Double> metrics = new LinkedHashMap<>();
        n.path("metrics").properties().forEach(e -> metrics.put(e.getKey(), e.getValue().asDouble()));
        List<String> labels = new ArrayList<>();
        n.path("labels").forEach(l -> labels.add(l.asText()));
        JsonNode c = n.path("confusion");
        int[][] confusion = new int[c.size()][];
        for (int i = 0; i < c.size(); i++) {
            confusion[i] = new int[c.get(i).size()];
            for (int j = 0; j < c.get(i).size(); j++) {
                confusion[i][j] = c.get(i).get(j).asInt();
            }
        }
        return new EvalRecord(n.path("model").asText(), n.path("role").asText(), n.path("method").asText(),
                n.path("dataset").asText(), n.path("split").asText(), n.path("seed").asLong(),
                n.hasNonNull("sweep") ? n.get("sweep").asText() : null, params, metrics, labels, confusion);
    }
}
