package io.mergelab.track;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Tracks into an MLflow server. Every run writes its start record to the step's journal; while the
 * server answers, everything else goes straight to it. When a call fails because the server is down,
 * that record and all later ones go to the journal (fsync'd) and delivery is retried with exponential
 * backoff (1 s doubling to 60 s) on later calls and once more at {@link TrackedRun#end}. What is still
 * pending then is replayed by {@link JournalSync} ({@code bin/mergelab sync}). A tracker made with
 * {@link #journalOnly} never contacts a server: it only writes journals, to sync later.
 */
public final class MlflowTracker implements Tracker {
    static final long FIRST_RETRY_MS = 1_000;
    static final long MAX_RETRY_MS = 60_000;

    private final MlflowRest rest;
    private final JournalReplayer replayer;
    private final PrintStream log;

    public MlflowTracker(TrackingEndpoint endpoint, PrintStream log) {
        this.rest = new MlflowRest(endpoint);
        this.replayer = new JournalReplayer(rest, log);
        this.log = log;
    }

    private MlflowTracker(PrintStream log) {
        this.rest = null;
        this.replayer = null;
        this.log = log;
    }

    /** Records into step journals only (tracking server configured later; {@code bin/mergelab sync}). */
    public static MlflowTracker journalOnly(PrintStream log) {
        return new MlflowTracker(log);
    }

    @Override
    public TrackedRun startStudy(RunSpec spec) {
        return new Run(spec, null);
    }

    @Override
    public TrackedRun startStep(TrackedRun parent, RunSpec spec) {
        if (!(parent instanceof Run p)) {
            throw new IllegalArgumentException("parent of '" + spec.stepId() + "' was not started by this tracker");
        }
        return new Run(spec, p);
    }

    @Override
    public void close() {
        if (rest != null) {
            rest.close();
        }
    }

    private final class Run implements TrackedRun {
        private final RunSpec spec;
        private final Journal journal;
        private String runId;
        private boolean online;
        private boolean ended;
        private long retryDelayMs = FIRST_RETRY_MS;
        private long nextRetryAt;
        private boolean warned;

        Run(RunSpec spec, Run parent) {
            this.spec = spec;
            this.journal = new Journal(spec.stepDir());
            List<ObjectNode> existing = journal.records();
            if (!existing.isEmpty() && !existing.get(0).get("step_id").asText().equals(spec.stepId())) {
                throw new IllegalStateException(journal.file() + ": journal belongs to step '"
                        + existing.get(0).get("step_id").asText() + "', not '" + spec.stepId() + "'");
            }
            ObjectNode start = Journal.JSON.createObjectNode().put("type", "start")
                    .put("study", spec.study()).put("step_id", spec.stepId()).put("run_name", spec.runName())
                    .put("start_time", System.currentTimeMillis());
            if (parent != null) {
                start.put("parent_step_id", parent.spec.stepId());
                parent.runId().ifPresent(id -> start.put("parent_run_id", id));
            }
            ObjectNode tags = start.putObject("tags");
            spec.tags().forEach(tags::put);
            // line 0 names the run; a resumed step appends a further start (set RUNNING, refresh tags)
            journal.append(start);
            if (rest != null) {
                tryReplay(true);
            }
        }

        @Override
        public String stepId() {
            return spec.stepId();
        }

        @Override
        public String runName() {
            return spec.runName();
        }

        @Override
        public Optional<String> runId() {
            return Optional.ofNullable(runId);
        }

        @Override
        public void logParams(Map<String, ?> config) {
            ObjectNode r = record("params");
            ObjectNode params = r.putObject("params");
            MlflowNames.flatten(config).forEach(params::put);
            submit(r);
        }

        @Override
        public void logMetric(String key, double value, long step) {
            logMetrics(Map.of(key, value), step);
        }

        @Override
        public void logMetrics(Map<String, ? extends Number> metrics, long step) {
            ObjectNode r = record("metrics");
            ArrayNode list = r.putArray("metrics");
            long now = System.currentTimeMillis();
            metrics.forEach((k, v) -> list.addObject().put("key", MlflowNames.key(k)).put("value", v.doubleValue())
                    .put("step", step).put("timestamp", now));
            submit(r);
        }

        @Override
        public void setTag(String key, String value) {
            ObjectNode r = record("tags");
            r.putObject("tags").put(MlflowNames.key(key), value);
            submit(r);
        }

        @Override
        public void logInputs(List<DatasetInput> inputs) {
            ObjectNode r = record("inputs");
            ArrayNode list = r.putArray("datasets");
            for (DatasetInput d : inputs) {
                list.addObject().put("name", d.name()).put("digest", d.digest()).put("source", d.source())
                        .put("rows", d.rows()).put("context", d.context()).put("note", d.note());
            }
            submit(r);
        }

        @Override
        public void logArtifact(Path file, String artifactDir) {
            String name = file.getFileName().toString();
            submit(record("artifact").put("file", file.toAbsolutePath().toString())
                    .put("path", artifactDir == null || artifactDir.isEmpty() ? name : artifactDir + "/" + name));
        }

        @Override
        public void logArtifacts(Path dir, String artifactDir) {
            submit(record("artifacts").put("dir", dir.toAbsolutePath().toString())
                    .put("path", artifactDir == null ? "" : artifactDir));
        }

        @Override
        public void end(RunStatus status) {
            if (ended) {
                return;
            }
            submit(record("end").put("status", status.name()).put("end_time", System.currentTimeMillis()));
            ended = true;
            if (!online && rest != null) {
                tryReplay(true);
            }
            if (!online) {
                log.println("mergelab: tracking: " + journal.pending() + " records of '" + spec.runName()
                        + "' kept in " + journal.file() + (rest == null ? "" : " (server unreachable)")
                        + "; replay them with: bin/mergelab sync <study dir>");
            }
        }

        private ObjectNode record(String type) {
            return Journal.JSON.createObjectNode().put("type", type);
        }

        private void submit(ObjectNode record) {
            if (ended) {
                throw new IllegalStateException("run '" + spec.runName() + "' has ended; nothing more can be logged");
            }
            if (online) {
                try {
                    replayer.apply(runId, List.of(record));
                    return;
                } catch (TrackingUnavailableException e) {
                    goOffline(e);
                } catch (TrackingRejectedException e) {
                    log.println("mergelab: tracking: '" + spec.runName() + "': " + e.getMessage());
                    return;
                }
            }
            journal.append(journal.pin(record));
            if (rest != null && System.currentTimeMillis() >= nextRetryAt) {
                tryReplay(false);
            }
        }

        /** Delivers the journal's pending records; on success the run goes (back) online. */
        private void tryReplay(boolean force) {
            if (!force && System.currentTimeMillis() < nextRetryAt) {
                return;
            }
            try {
                if (!rest.healthy()) {
                    throw new TrackingUnavailableException(rest.endpoint().display() + "/health does not answer", null);
                }
                runId = replayer.replay(journal);
                if (warned) {
                    log.println("mergelab: tracking: '" + spec.runName() + "' reconnected to "
                            + rest.endpoint().display() + "; journal replayed");
                }
                online = true;
                retryDelayMs = FIRST_RETRY_MS;
            } catch (TrackingUnavailableException e) {
                goOffline(e);
            }
        }

        private void goOffline(TrackingUnavailableException e) {
            if (!warned || online) {
                log.println("mergelab: tracking: " + e.getMessage() + "; journaling '" + spec.runName()
                        + "' to " + journal.file() + " and retrying");
                warned = true;
            }
            online = false;
            nextRetryAt = System.currentTimeMillis() + retryDelayMs;
            retryDelayMs = Math.min(MAX_RETRY_MS, retryDelayMs * 2);
        }
    }
}
