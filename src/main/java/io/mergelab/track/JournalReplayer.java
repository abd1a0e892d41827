package io.mergelab.track;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.mlflow.api.proto.Service;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Delivers journal records to the server, in order, and advances the journal's cursor after each chunk.
 * Replaying a record twice is harmless (the server keeps one copy of an identical metric, params are
 * compared first, tags and artifacts overwrite), so a crash between delivery and cursor update loses
 * nothing and duplicates nothing.
 */
final class JournalReplayer {
    private final MlflowRest rest;
    private final PrintStream log;
    private final Map<String, String> experimentIds = new HashMap<>();
    private final Map<String, String> artifactRoots = new HashMap<>();
    private final List<String> rejected = new ArrayList<>();

    JournalReplayer(MlflowRest rest, PrintStream log) {
        this.rest = rest;
        this.log = log;
    }

    /** Replays what is pending in {@code journal}; returns the run id. */
    /** Records the server refused (a file gone, a value out of range): each journal file and record, and why. */
    List<String> rejected() {
        return List.copyOf(rejected);
    }

    String replay(Journal journal) {
        List<ObjectNode> records = journal.records();
        if (records.isEmpty()) {
            throw new IllegalStateException(journal.file() + ": empty journal (expected a start record)");
        }
        int done = journal.replayed();
        String runId = resolveRun(records.get(0), done == 0);
        if (done == 0) {
            journal.markReplayed(1);
            done = 1;
        }
        while (done < records.size()) {
            int end = done + 1;
            if (type(records.get(done)).equals("metrics")) {
                int count = records.get(done).get("metrics").size();
                while (end < records.size() && type(records.get(end)).equals("metrics")
                        && count + records.get(end).get("metrics").size() <= MlflowNames.MAX_METRICS_PER_BATCH) {
                    count += records.get(end).get("metrics").size();
                    end++;
                }
            }
            List<ObjectNode> chunk = records.subList(done, end).stream().map(journal::resolve).toList();
            try {
                apply(runId, chunk);
            } catch (TrackingRejectedException e) {
                String what = journal.file() + " record " + done + ": " + e.getMessage();
                log.println("mergelab: tracking: " + what + " (rejected, skipped)");
                rejected.add(what);
            }
            journal.markReplayed(end);
            done = end;
        }
        return runId;
    }

    /** Finds the run by its step id or creates it; {@code fresh} marks a (re)start to set RUNNING and tags. */
    String resolveRun(ObjectNode start, boolean fresh) {
        String study = start.get("study").asText();
        String stepId = start.get("step_id").asText();
        String expId = experimentIds.computeIfAbsent(study, rest::experimentId);
        Map<String, String> tags = strings(start.get("tags"));
        var existing = rest.findRunByStepId(expId, stepId);
        if (existing.isPresent()) {
            String runId = existing.get().getInfo().getRunId();
            if (fresh) {
                restart(runId, tags, existing.get().getInfo().getStatus());
            }
            return runId;
        }
        Map<String, String> all = new LinkedHashMap<>(tags);
        all.put(RunTags.STUDY, study);
        all.put(RunTags.STEP_ID, stepId);
        all.put(RunTags.RUN_NAME, start.get("run_name").asText());
        all.putIfAbsent("mlflow.source.name", "mergelab");
        String parentStep = text(start, "parent_step_id");
        if (parentStep != null) {
            String parentRun = text(start, "parent_run_id");
            if (parentRun == null) {
                parentRun = rest.findRunByStepId(expId, parentStep).map(r -> r.getInfo().getRunId())
                        .orElseThrow(() -> new TrackingUnavailableException("parent run '" + parentStep
                                + "' of '" + stepId + "' is not on the server yet", null));
            }
            all.put(RunTags.PARENT_RUN_ID, parentRun);
        }
        return rest.createRun(expId, start.get("run_name").asText(), start.get("start_time").asLong(), all)
                .getRunId();
    }

    private void restart(String runId, Map<String, String> tags, Service.RunStatus status) {
        if (status != Service.RunStatus.RUNNING) {
            rest.markRunning(runId);
        }
        logTags(runId, tags);
    }

    void apply(String runId, List<ObjectNode> chunk) {
        List<Service.Metric> metrics = new ArrayList<>();
        for (ObjectNode r : chunk) {
            switch (type(r)) {
                case "metrics" -> r.get("metrics").forEach(m -> metrics.add(Service.Metric.newBuilder()
                        .setKey(m.get("key").asText()).setValue(m.get("value").asDouble())
                        .setStep(m.get("step").asLong()).setTimestamp(m.get("timestamp").asLong()).build()));
                case "params" -> logParams(runId, strings(r.get("params")));
                case "tags" -> logTags(runId, strings(r.get("tags")));
                case "start" -> restart(runId, strings(r.get("tags")), rest.getRun(runId).getInfo().getStatus());
                case "inputs" -> rest.logInputs(runId, r.get("datasets"));
                case "artifact" -> upload(runId, Path.of(r.get("file").asText()), r.get("path").asText());
                case "artifacts" -> uploadTree(runId, Path.of(r.get("dir").asText()), r.get("path").asText());
                case "end" -> rest.terminate(runId, RunStatus.valueOf(r.get("status").asText()), r.get("end_time").asLong());
                default -> throw new TrackingRejectedException("unknown journal record type '" + type(r) + "'", null);
            }
        }
        if (!metrics.isEmpty()) {
            rest.logBatch(runId, metrics, List.of(), List.of());
        }
    }

    private void logParams(String runId, Map<String, String> params) {
        Map<String, String> logged = new HashMap<>();
        rest.getRun(runId).getData().getParamsList().forEach(p -> logged.put(p.getKey(), p.getValue()));
        List<Service.Param> fresh = new ArrayList<>();
        List<String> conflicts = new ArrayList<>();
        params.forEach((k, v) -> {
            String old = logged.get(k);
            if (old == null) {
                fresh.add(Service.Param.newBuilder().setKey(k).setValue(v).build());
            } else if (!old.equals(v)) {
                conflicts.add(k);
            }
        });
        if (!conflicts.isEmpty()) {
            log.println("mergelab: tracking: run " + runId + " already has different values for params "
                    + conflicts + "; MLflow params are immutable, the first values are kept");
        }
        for (int i = 0; i < fresh.size(); i += MlflowNames.MAX_PARAMS_TAGS_PER_BATCH) {
            rest.logBatch(runId, List.of(), fresh.subList(i, Math.min(fresh.size(), i + MlflowNames.MAX_PARAMS_TAGS_PER_BATCH)),
                    List.of());
        }
    }

    private void logTags(String runId, Map<String, String> tags) {
        List<Service.RunTag> list = new ArrayList<>();
        tags.forEach((k, v) -> list.add(Service.RunTag.newBuilder().setKey(k).setValue(MlflowNames.tagValue(v)).build()));
        for (int i = 0; i < list.size(); i += MlflowNames.MAX_PARAMS_TAGS_PER_BATCH) {
            rest.logBatch(runId, List.of(), List.of(),
                    list.subList(i, Math.min(list.size(), i + MlflowNames.MAX_PARAMS_TAGS_PER_BATCH)));
        }
    }

    private void upload(String runId, Path file, String artifactPath) {
        if (!Files.isRegularFile(file)) {
            throw new TrackingRejectedException(file + ": artifact file no longer exists", null);
        }
        String root = artifactRoots.computeIfAbsent(runId, id -> rest.getRun(id).getInfo().getArtifactUri());
        rest.uploadArtifact(root, artifactPath, file);
    }

    private void uploadTree(String runId, Path dir, String prefix) {
        if (!Files.isDirectory(dir)) {
            throw new TrackingRejectedException(dir + ": artifact directory no longer exists", null);
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Iterator<Path> it = files.filter(Files::isRegularFile).sorted().iterator(); it.hasNext(); ) {
                Path f = it.next();
                String rel = dir.relativize(f).toString().replace('\\', '/');
                upload(runId, f, prefix.isEmpty() ? rel : prefix + "/" + rel);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(dir + ": cannot list artifact directory", e);
        }
    }

    private static String type(JsonNode r) {
        return r.get("type").asText();
    }

    private static String text(JsonNode r, String field) {
        JsonNode n = r.get(field);
        return n == null || n.isNull() ? null : n.asText();
    }

    private static Map<String, String> strings(JsonNode obj) {
        Map<String, String> out = new LinkedHashMap<>();
        if (obj != null) {
            obj.properties().forEach(e -> out.put(e.getKey(), e.getValue().asText()));
        }
        return out;
    }
}
