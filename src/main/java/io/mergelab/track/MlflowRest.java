package io.mergelab.track;

import org.mlflow.api.proto.Service;
import org.mlflow.tracking.MlflowClient;
import org.mlflow.tracking.MlflowClientException;
import org.mlflow.tracking.MlflowHttpException;
import org.mlflow.tracking.RunsPage;
import org.mlflow.tracking.creds.BasicMlflowHostCreds;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The calls the tracker makes: runs, params, metrics, tags and status through the MLflow Java client;
 * health and artifact uploads over plain HTTP (the client's logArtifact shells out to the Python CLI).
 * Errors become {@link TrackingUnavailableException} (retry later) or {@link TrackingRejectedException}.
 */
public final class MlflowRest implements AutoCloseable {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(3);
    private static final Duration UPLOAD_TIMEOUT = Duration.ofMinutes(10);

    private final TrackingEndpoint endpoint;
    private final MlflowClient client;
    private final HttpClient http;

    public MlflowRest(TrackingEndpoint endpoint) {
        this.endpoint = endpoint;
        String host = endpoint.uri().toString();
        this.client = new MlflowClient(endpoint.token() != null
                ? new BasicMlflowHostCreds(host, endpoint.token())
                : new BasicMlflowHostCreds(host, endpoint.username(), endpoint.password()));
        this.http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build();
    }

    public TrackingEndpoint endpoint() {
        return endpoint;
    }

    /** The Java client, for readers (tests, UI command); writers go through this class. */
    public MlflowClient client() {
        return client;
    }

    /** True when {@code /health} answers 200 within a few seconds. */
    public boolean healthy() {
        try {
            HttpRequest req = request("/health").timeout(Duration.ofSeconds(3)).GET().build();
            return http.send(req, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public String experimentId(String name) {
        return call("get or create experiment '" + name + "'", () -> {
            // search, not getExperimentByName: the client retries that call's 404 as if rate-limited
            Optional<Service.Experiment> found = findExperiment(name);
            String id;
            if (found.isPresent()) {
                id = found.get().getExperimentId();
                if (found.get().getTagsList().stream().anyMatch(t -> t.getKey().equals(EXPERIMENT_KIND))) {
                    return id;
                }
            } else {
                try {
                    id = client.createExperiment(name);
                } catch (MlflowHttpException e) {
                    // another process created it between our lookup and create
                    id = findExperiment(name).orElseThrow(() -> e).getExperimentId();
                }
            }
            client.setExperimentTag(id, EXPERIMENT_KIND, CUSTOM_MODEL_DEVELOPMENT);
            return id;
        });
    }

    /**
     * The experiment tag MLflow 3's UI reads to choose its landing view; without it an experiment opens on the
     * GenAI "Traces" overview (0 traces) instead of the runs table.
     */
    static final String EXPERIMENT_KIND = "mlflow.experimentKind";

    /**
     * The UI address of an experiment's runs table. MLflow 3.17's UI ignores the experiment's kind tag behind its
     * GenAI / model-training switch, which defaults to GenAI: the workflowType parameter selects model training.
     */
    public static String runsUrl(String uiBase, String experimentId) {
        return uiBase + "/#/experiments/" + experimentId + "/runs?workflowType=machine_learning";
    }
    static final String CUSTOM_MODEL_DEVELOPMENT = "custom_model_development";

    private Optional<Service.Experiment> findExperiment(String name) {
        return client.searchExperiments("name = '" + name + "'").getItems().stream().findFirst();
    }

    public Optional<Service.Run> findRunByStepId(String experimentId, String stepId) {
        return call("look up run with step_id '" + stepId + "'", () -> {
            RunsPage page = client.searchRuns(List.of(experimentId), "tags." + RunTags.STEP_ID + " = '" + stepId + "'",
                    Service.ViewType.ACTIVE_ONLY, 1);
            return page.getItems().stream().findFirst();
        });
    }

    public Service.RunInfo createRun(String experimentId, String runName, long startTime, Map<String, String> tags) {
        return call("create run '" + runName + "'", () -> {
            Service.CreateRun.Builder b = Service.CreateRun.newBuilder()
                    .setExperimentId(experimentId).setRunName(runName).setStartTime(startTime);
            tags.forEach((k, v) -> b.addTags(Service.RunTag.newBuilder().setKey(k).setValue(MlflowNames.tagValue(v))));
            return client.createRun(b.build());
        });
    }

    public Service.Run getRun(String runId) {
        return call("get run " + runId, () -> client.getRun(runId));
    }

    public void markRunning(String runId) {
        call("set run " + runId + " RUNNING", () -> client.sendPost("runs/update",
                Journal.JSON.createObjectNode().put("run_id", runId).put("status", "RUNNING").toString()));
    }

    public void logBatch(String runId, List<Service.Metric> metrics, List<Service.Param> params, List<Service.RunTag> tags) {
        call("log to run " + runId, () -> {
            client.logBatch(runId, metrics, params, tags);
            return null;
        });
    }

    /**
     * {@code runs/log-inputs} (not in the Java client): each journaled dataset as MLflow's Dataset (source_type
     * "local", source {"uri": path}, profile {"num_rows": n, "note": ...}) with its mlflow.data.context tag.
     */
    public void logInputs(String runId, com.fasterxml.jackson.databind.JsonNode datasets) {
        com.fasterxml.jackson.databind.node.ObjectNode body = Journal.JSON.createObjectNode().put("run_id", runId);
        com.fasterxml.jackson.databind.node.ArrayNode list = body.putArray("datasets");
        for (com.fasterxml.jackson.databind.JsonNode d : datasets) {
            com.fasterxml.jackson.databind.node.ObjectNode input = list.addObject();
            input.putArray("tags").addObject().put("key", "mlflow.data.context").put("value", d.path("context").asText());
            com.fasterxml.jackson.databind.node.ObjectNode profile = Journal.JSON.createObjectNode()
                    .put("num_rows", d.path("rows").asLong());
            if (!d.path("note").isNull() && !d.path("note").asText().isEmpty()) {
                profile.put("note", d.path("note").asText());
            }
            input.putObject("dataset").put("name", d.path("name").asText()).put("digest", d.path("digest").asText())
                    .put("source_type", "local")
                    .put("source", Journal.JSON.createObjectNode().put("uri", d.path("source").asText()).toString())
                    .put("profile", profile.toString());
        }
        call("log inputs of run " + runId, () -> client.sendPost("runs/log-inputs", body.toString()));
    }

    public void terminate(String runId, RunStatus status, long endTime) {
        call("end run " + runId, () -> {
            client.setTerminated(runId, Service.RunStatus.valueOf(status.name()), endTime);
            return null;
        });
    }

    /**
     * PUTs a file to the server's artifact proxy under the run's {@code mlflow-artifacts:} root.
     * {@code artifactPath} is the path inside the run's artifacts ("report/metrics.json").
     */
    public void uploadArtifact(String artifactUri, String artifactPath, Path file) {
        String root = proxiedRoot(artifactUri);
        String encoded = Arrays.stream((root + "/" + artifactPath).split("/"))
                .filter(s -> !s.isEmpty())
                .map(s -> URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20"))
                .collect(Collectors.joining("/"));
        String where = "upload " + file + " to " + artifactPath;
        try {
            HttpRequest req = request("/api/2.0/mlflow-artifacts/artifacts/" + encoded).timeout(UPLOAD_TIMEOUT)
                    .header("Content-Type", "application/octet-stream")
                    .PUT(HttpRequest.BodyPublishers.ofFile(file)).build();
            HttpResponse<String> resp = http.send(req, HttpResponse.BodyHandlers.ofString());
            int code = resp.statusCode();
            if (code >= 200 && code < 300) {
                return;
            }
            String msg = where + ": HTTP " + code + " " + abbreviate(resp.body());
            if (code == 429 || code >= 500) {
                throw new TrackingUnavailableException(msg, null);
            }
            throw new TrackingRejectedException(msg, null);
        } catch (IOException e) {
            throw new TrackingUnavailableException(where + ": " + describe(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TrackingUnavailableException(where + ": interrupted", e);
        }
    }

    /** {@code mlflow-artifacts:/1/<run>/artifacts} (or {@code mlflow-artifacts://host/...}) → {@code 1/<run>/artifacts}. */
    static String proxiedRoot(String artifactUri) {
        URI u = URI.create(artifactUri);
        if (!"mlflow-artifacts".equals(u.getScheme())) {
            throw new TrackingRejectedException("run artifact root '" + artifactUri + "' is not served by the "
                    + "tracking server; start it with --serve-artifacts (bin/mlflow-server does)", null);
        }
        String path = u.getPath() == null ? "" : u.getPath();
        return path.startsWith("/") ? path.substring(1) : path;
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(endpoint.uri() + path));
        endpoint.authorization().ifPresent(a -> b.header("Authorization", a));
        return b;
    }

    private <T> T call(String what, Supplier<T> action) {
        try {
            return action.get();
        } catch (MlflowHttpException e) {
            String msg = what + " on " + endpoint.display() + ": HTTP " + e.getStatusCode() + " "
                    + abbreviate(e.getBodyMessage());
            if (e.getStatusCode() == 429 || e.getStatusCode() >= 500) {
                throw new TrackingUnavailableException(msg, e);
            }
            throw new TrackingRejectedException(msg, e);
        } catch (MlflowClientException e) {
            throw new TrackingUnavailableException(what + " on " + endpoint.display() + ": " + describe(e), e);
        }
    }

    private static String describe(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConnectException) {
                return "connection refused (is the server running? bin/mlflow-server status)";
            }
        }
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + (root.getMessage() != null ? ": " + root.getMessage() : "");
    }

    private static String abbreviate(String s) {
        if (s == null) {
            return "";
        }
        String one = s.replaceAll("\\s+", " ").strip();
        return one.length() > 300 ? one.substring(0, 300) + "..." : one;
    }

    @Override
    public void close() {
        client.close();
    }
}
