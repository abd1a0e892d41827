package io.mergelab.track;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads what the server holds through its REST API only (independent of the code under test). */
final class MlflowReader {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final String base;
    private final HttpClient http = HttpClient.newHttpClient();

    MlflowReader(String base) {
        this.base = base;
    }

    JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new AssertionError("GET " + path + ": HTTP " + r.statusCode() + " " + r.body());
        }
        return JSON.readTree(r.body());
    }

    byte[] download(String path) throws IOException, InterruptedException {
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(base + path)).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) {
            throw new AssertionError("GET " + path + ": HTTP " + r.statusCode());
        }
        return r.body();
    }

    JsonNode post(String path, String body) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + path))
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new AssertionError("POST " + path + ": HTTP " + r.statusCode() + " " + r.body());
        }
        return JSON.readTree(r.body());
    }

    String experimentId(String name) throws IOException, InterruptedException {
        return get("/api/2.0/mlflow/experiments/get-by-name?experiment_name=" + enc(name))
                .at("/experiment/experiment_id").asText();
    }

    /** All runs of an experiment, keyed by run name. */
    Map<String, JsonNode> runs(String experimentId) throws IOException, InterruptedException {
        JsonNode res = post("/api/2.0/mlflow/runs/search",
                "{\"experiment_ids\":[\"" + experimentId + "\"],\"max_results\":1000}");
        Map<String, JsonNode> out = new LinkedHashMap<>();
        for (JsonNode run : res.path("runs")) {
            String name = run.at("/info/run_name").asText();
            if (out.put(name, run) != null) {
                throw new AssertionError("two runs named " + name);
            }
        }
        return out;
    }

    static Map<String, String> params(JsonNode run) {
        return pairs(run.at("/data/params"));
    }

    /** A run's dataset inputs (MLflow 3's run.inputs.dataset_inputs) by dataset name. */
    static Map<String, JsonNode> datasetInputs(JsonNode run) {
        Map<String, JsonNode> out = new java.util.TreeMap<>();
        run.at("/inputs/dataset_inputs").forEach(d -> out.put(d.at("/dataset/name").asText(), d));
        return out;
    }

    /** The mlflow.data.context tag of a dataset input. */
    static String context(JsonNode input) {
        for (JsonNode t : input.path("tags")) {
            if (t.path("key").asText().equals("mlflow.data.context")) {
                return t.path("value").asText();
            }
        }
        return null;
    }

    static Map<String, String> tags(JsonNode run) {
        return pairs(run.at("/data/tags"));
    }

    private static Map<String, String> pairs(JsonNode array) {
        Map<String, String> out = new LinkedHashMap<>();
        array.forEach(p -> out.put(p.get("key").asText(), p.get("value").asText()));
        return out;
    }

    /** (step, value) of a metric's full history, in step order. */
    List<double[]> history(String runId, String key) throws IOException, InterruptedException {
        List<double[]> out = new ArrayList<>();
        metricHistory(runId, key).forEach(m -> out.add(new double[] {m.get("step").asLong(), m.get("value").asDouble()}));
        out.sort((a, b) -> Double.compare(a[0], b[0]));
        return out;
    }

    private JsonNode metricHistory(String runId, String key) throws IOException, InterruptedException {
        return get("/api/2.0/mlflow/metrics/get-history?run_id=" + runId + "&metric_key=" + enc(key)
                + "&max_results=25000").path("metrics");
    }

    /** A metric's history as [step, timestamp in ms] pairs: when the client logged each value. */
    List<long[]> timestamps(String runId, String key) throws IOException, InterruptedException {
        List<long[]> out = new ArrayList<>();
        metricHistory(runId, key).forEach(m -> out.add(new long[] {m.get("step").asLong(), m.get("timestamp").asLong()}));
        out.sort((a, b) -> Long.compare(a[0], b[0]));
        return out;
    }

    /** Paths of files under a run's artifact directory, recursively (the API the UI uses). */
    List<String> artifactFiles(String runId, String path) throws IOException, InterruptedException {
        JsonNode res = get("/api/2.0/mlflow/artifacts/list?run_id=" + runId + (path.isEmpty() ? "" : "&path=" + enc(path)));
        List<String> out = new ArrayList<>();
        for (JsonNode f : res.path("files")) {
            if (f.path("is_dir").asBoolean()) {
                out.addAll(artifactFiles(runId, f.get("path").asText()));
            } else {
                out.add(f.get("path").asText());
            }
        }
        return out;
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
