package io.mergelab.track;

import com.fasterxml.jackson.databind.JsonNode;
import io.mergelab.cli.Main;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The server goes away mid-study: nothing fails, journals fill, sync replays every record exactly once. */
@Tag("mlflow")
class OfflineJournalSyncTest {
    @RegisterExtension
    static final MlflowServerExtension mlflow = new MlflowServerExtension("offline-");

    @Test
    void serverStoppedMidStudyThenSyncLogsEveryMetricExactlyOnce() throws Exception {
        Path study = mlflow.work().resolve("outputs/offline");
        Path cm = Files.createDirectories(study.resolve("eval-yelp")).resolve("confusion.png");
        Files.write(cm, new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3});
        try (MlflowTracker tracker = new MlflowTracker(mlflow.server().endpoint(), System.err)) {
            TrackedRun parent = tracker.startStudy(RunSpec.of("offline", "study", "offline", study));
            TrackedRun ft = tracker.startStep(parent, RunSpec.of("offline", "ft/yelp/slice-0", "ft/yelp/slice-0",
                    study.resolve("ft-yelp-0")));
            ft.logParams(Map.of("training", Map.of("learning_rate", 0.001)));
            for (int s = 0; s < 5; s++) {
                ft.logMetric("train.loss", 10 - s, s);
            }
            mlflow.server().stop();
            for (int s = 5; s < 10; s++) {
                ft.logMetric("train.loss", 10 - s, s);
            }
            ft.end(RunStatus.FINISHED);
            // a step that starts while the server is down
            TrackedRun eval = tracker.startStep(parent, RunSpec.of("offline", "eval/yelp", "eval/yelp",
                    study.resolve("eval-yelp")).withDataset("yelp"));
            eval.logParams(Map.of("eval", Map.of("dataset", "yelp")));
            eval.logMetrics(Map.of("test.yelp.accuracy", 0.8, "test.yelp.macro_f1", 0.75), 0);
            eval.logArtifact(cm, "plots");
            eval.end(RunStatus.FINISHED);
            parent.logMetric("best.accuracy", 0.8, 0);
            parent.end(RunStatus.FINISHED);
            assertTrue(eval.runId().isEmpty());
        }
        assertTrue(new Journal(study.resolve("ft-yelp-0")).pending() > 0);
        assertTrue(new Journal(study.resolve("eval-yelp")).pending() > 0);

        mlflow.server().restart();
        assertEquals(0, Main.execute("sync", study.toString(), "--tracking-uri", mlflow.server().url()));
        assertEquals(0, new Journal(study.resolve("ft-yelp-0")).pending());
        // a second sync sends nothing
        assertEquals(0, Main.execute("sync", study.toString(), "--tracking-uri", mlflow.server().url()));
        // `ui` finds the experiment the journals name, whatever the directory is called
        Path renamed = Files.move(study, mlflow.work().resolve("outputs/renamed"));
        assertEquals(List.of("offline"), io.mergelab.track.JournalSync.experiments(renamed));
        java.io.StringWriter uiOut = new java.io.StringWriter();
        assertEquals(0, Main.execute(new java.io.PrintWriter(uiOut, true), new java.io.PrintWriter(System.err, true),
                "ui", renamed.toString(), "--tracking-uri", mlflow.server().url()));
        Files.move(renamed, study);
        assertTrue(uiOut.toString().contains("runs of study 'offline': "), uiOut.toString());

        MlflowReader reader = mlflow.reader();
        Map<String, JsonNode> runs = reader.runs(reader.experimentId("offline"));
        assertEquals(Set.of("offline", "ft/yelp/slice-0", "eval/yelp"), runs.keySet());
        String parentId = runs.get("offline").at("/info/run_id").asText();
        String ftId = runs.get("ft/yelp/slice-0").at("/info/run_id").asText();
        String evalId = runs.get("eval/yelp").at("/info/run_id").asText();
        List<double[]> loss = reader.history(ftId, "train.loss");
        assertEquals(10, loss.size(), "every step exactly once");
        for (int s = 0; s < 10; s++) {
            assertEquals(s, loss.get(s)[0]);
            assertEquals(10 - s, loss.get(s)[1]);
        }
        assertEquals(1, reader.history(evalId, "test.yelp.accuracy").size());
        assertEquals(1, reader.history(evalId, "test.yelp.macro_f1").size());
        assertEquals(1, reader.history(parentId, "best.accuracy").size());
        assertEquals(parentId, MlflowReader.tags(runs.get("eval/yelp")).get("mlflow.parentRunId"));
        assertEquals("yelp", MlflowReader.params(runs.get("eval/yelp")).get("eval.dataset"));
        for (JsonNode run : runs.values()) {
            assertEquals("FINISHED", run.at("/info/status").asText(), run.at("/info/run_name").asText());
        }
        assertEquals(List.of("plots/confusion.png"), reader.artifactFiles(evalId, ""));
        String exp = runs.get("eval/yelp").at("/info/experiment_id").asText();
        assertArrayEquals(Files.readAllBytes(cm), reader.download(
                "/api/2.0/mlflow-artifacts/artifacts/" + exp + "/" + evalId + "/artifacts/plots/confusion.png"));
    }

    /**
     * An artifact journaled offline is the file as it was when logged: a temporary file deleted before the sync, a
     * config edited after the run, both reach the server with their logged bytes; a record that cannot be delivered
     * makes sync exit 1 naming it.
     */
    @Test
    void journaledArtifactsAreCopiesTakenWhenLoggedAndAnUndeliverableOneFailsSync() throws Exception {
        Path study = mlflow.work().resolve("outputs/pinned");
        Path stepDir = Files.createDirectories(study.resolve("eval-yelp"));
        Path tmpPlot = Files.createTempFile(mlflow.work(), "confusion", ".png");
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', 4, 5, 6};
        Files.write(tmpPlot, png);
        Path config = study.resolve("config.yaml");
        Files.writeString(config, "learning_rate: 0.001\n");
        Path plots = Files.createDirectories(study.resolve("plots"));
        Files.writeString(plots.resolve("a.txt"), "first\n");
        try (MlflowTracker tracker = MlflowTracker.journalOnly(System.err)) {
            TrackedRun parent = tracker.startStudy(RunSpec.of("pinned", "study", "pinned", study));
            TrackedRun eval = tracker.startStep(parent, RunSpec.of("pinned", "eval/yelp", "eval/yelp", stepDir));
            eval.logArtifact(tmpPlot, "plots");
            eval.logArtifact(config, "");
            eval.logArtifacts(plots, "tables");
            eval.end(RunStatus.FINISHED);
            parent.end(RunStatus.FINISHED);
        }
        Files.delete(tmpPlot);                                   // a temporary file, gone before the sync
        Files.writeString(config, "learning_rate: 0.5\n");      // edited after the run
        Files.writeString(plots.resolve("a.txt"), "edited\n");

        assertEquals(0, Main.execute("sync", study.toString(), "--tracking-uri", mlflow.server().url()));
        MlflowReader reader = mlflow.reader();
        Map<String, JsonNode> runs = reader.runs(reader.experimentId("pinned"));
        String evalId = runs.get("eval/yelp").at("/info/run_id").asText();
        String base = "/api/2.0/mlflow-artifacts/artifacts/" + runs.get("eval/yelp").at("/info/experiment_id").asText()
                + "/" + evalId + "/artifacts/";
        assertArrayEquals(png, reader.download(base + "plots/" + tmpPlot.getFileName()));
        assertEquals("learning_rate: 0.001\n", new String(reader.download(base + "config.yaml")));
        assertEquals("first\n", new String(reader.download(base + "tables/a.txt")));

        // a record whose copy is gone cannot be delivered: sync says which and exits 1
        Path other = Files.createDirectories(study.resolve("eval-amazon"));
        try (MlflowTracker tracker = MlflowTracker.journalOnly(System.err)) {
            TrackedRun parent = tracker.startStudy(RunSpec.of("pinned", "study", "pinned", study));
            TrackedRun eval = tracker.startStep(parent, RunSpec.of("pinned", "eval/amazon", "eval/amazon", other));
            eval.logArtifact(config, "");
            eval.end(RunStatus.FINISHED);
        }
        try (var blobs = Files.walk(other.resolve(Journal.BLOBS))) {
            for (Path f : blobs.filter(Files::isRegularFile).toList()) {
                Files.delete(f);
            }
        }
        java.io.StringWriter err = new java.io.StringWriter();
        assertEquals(1, Main.execute(new java.io.PrintWriter(new java.io.StringWriter(), true),
                new java.io.PrintWriter(err, true), "sync", study.toString(), "--tracking-uri", mlflow.server().url()));
        assertTrue(err.toString().contains("mergelab: sync: not delivered: " + other.resolve(Journal.FILE)
                + " record 1: "), err.toString());
    }
}
