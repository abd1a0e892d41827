package io.mergelab.track;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Tracking against a real MLflow server started by bin/mlflow-server; everything read back over REST. */
@Tag("mlflow")
class MlflowTrackerServerTest {
    @RegisterExtension
    static final MlflowServerExtension mlflow = new MlflowServerExtension("tracker-");

    private static final Map<String, Object> FT_CONFIG = Map.of(
            "training", Map.of("learning_rate", 5e-5, "epochs", 2, "batch_size", 8),
            "data", Map.of("dataset", "yelp", "slice", 2, "labels", List.of("neg", "pos")));

    @Test
    void studyWithNestedRunsIsReadBackCompletelyOverRest() throws Exception {
        Path study = mlflow.work().resolve("outputs/quick");
        Path report = Files.createDirectories(study.resolve("report/figs"));
        Files.writeString(study.resolve("report/summary.md"), "# quick\n");
        byte[] png = new byte[4096];
        new java.util.Random(7).nextBytes(png);
        Files.write(report.resolve("cm.png"), png);
        Files.createDirectories(study.resolve("ft-yelp-2"));
        Path metricsJson = Files.writeString(study.resolve("ft-yelp-2/metrics.json"), "{\"accuracy\": 0.91}\n");

        try (MlflowTracker tracker = new MlflowTracker(mlflow.server().endpoint(), System.err)) {
            TrackedRun parent = tracker.startStudy(RunSpec.of("quick", "study", "quick", study)
                    .withGitCommit("0123abcd").withConfigHash("cafe01").withExecutor("local"));
            TrackedRun ft = tracker.startStep(parent, RunSpec.of("quick", "ft/yelp/slice-2", "ft/yelp/slice-2",
                    study.resolve("ft-yelp-2")).withDataset("yelp").withMethod("finetune").withExecutor("local")
                    .withSlurmJobId("4242").withConfigHash("beef02").withGitCommit("0123abcd"));
            ft.logParams(FT_CONFIG);
            for (int s = 0; s < 20; s++) {
                ft.logMetrics(Map.of("train.loss", 1.0 / (s + 1), "train.learning_rate", 5e-5 * (20 - s) / 20), s);
            }
            ft.logMetric("test.yelp.accuracy", 0.91, 0);
            ft.logArtifact(metricsJson, "");
            ft.end(RunStatus.FINISHED);

            TrackedRun merge = tracker.startStep(parent, RunSpec.of("quick", "merge/ties/d0.9-w0.2",
                    "merge/ties/d0.9-w0.2", study.resolve("merge-ties")).withMethod("ties"));
            merge.logParams(Map.of("merge", Map.of("method", "ties", "density", 0.9,
                    "models", List.of(Map.of("model", "ft-yelp-2", "weight", 0.2)), "long", "x".repeat(7000))));
            merge.logMetric("merge.seconds", 1.5, 0);
            merge.end(RunStatus.FINISHED);

            parent.logArtifacts(study.resolve("report"), "report");
            parent.logMetric("test.yelp.accuracy", 0.91, 0);
            parent.end(RunStatus.FINISHED);
            assertTrue(parent.runId().isPresent() && ft.runId().isPresent());
        }

        String exp = mlflow.reader().experimentId("quick");
        Map<String, JsonNode> runs = mlflow.reader().runs(exp);
        assertEquals(Set.of("quick", "ft/yelp/slice-2", "merge/ties/d0.9-w0.2"), runs.keySet());
        String parentId = runs.get("quick").at("/info/run_id").asText();
        for (String child : List.of("ft/yelp/slice-2", "merge/ties/d0.9-w0.2")) {
            assertEquals(parentId, MlflowReader.tags(runs.get(child)).get("mlflow.parentRunId"), child);
            assertEquals("FINISHED", runs.get(child).at("/info/status").asText(), child);
        }
        assertFalse(MlflowReader.tags(runs.get("quick")).containsKey("mlflow.parentRunId"));

        JsonNode ft = runs.get("ft/yelp/slice-2");
        String ftId = ft.at("/info/run_id").asText();
        Map<String, String> tags = MlflowReader.tags(ft);
        assertEquals("quick", tags.get("study"));
        assertEquals("ft/yelp/slice-2", tags.get("step_id"));
        assertEquals("beef02", tags.get("config_hash"));
        assertEquals("0123abcd", tags.get("mlflow.source.git.commit"));
        assertEquals("yelp", tags.get("dataset"));
        assertEquals("finetune", tags.get("method"));
        assertEquals("local", tags.get("executor"));
        assertEquals("4242", tags.get("slurm_job_id"));
        assertEquals(Map.of("training.learning_rate", "5.0E-5", "training.epochs", "2", "training.batch_size", "8",
                "data.dataset", "yelp", "data.slice", "2", "data.labels", "[neg, pos]"), MlflowReader.params(ft));

        List<double[]> loss = mlflow.reader().history(ftId, "train.loss");
        assertEquals(20, loss.size());
        for (int s = 0; s < 20; s++) {
            assertEquals(s, loss.get(s)[0]);
            assertEquals(1.0 / (s + 1), loss.get(s)[1], 1e-12);
        }
        assertEquals(20, mlflow.reader().history(ftId, "train.learning_rate").size());
        assertEquals(0.91, mlflow.reader().history(ftId, "test.yelp.accuracy").get(0)[1], 1e-12);

        Map<String, String> mergeParams = MlflowReader.params(runs.get("merge/ties/d0.9-w0.2"));
        assertEquals("ties", mergeParams.get("merge.method"));
        assertEquals("0.9", mergeParams.get("merge.density"));
        assertEquals("ft-yelp-2", mergeParams.get("merge.models.0.model"));
        assertEquals("0.2", mergeParams.get("merge.models.0.weight"));
        assertEquals(MlflowNames.MAX_PARAM_VALUE_LENGTH, mergeParams.get("merge.long").length());

        assertEquals(List.of("metrics.json"), mlflow.reader().artifactFiles(ftId, ""));
        String root = "/api/2.0/mlflow-artifacts/artifacts/" + exp + "/";
        assertArrayEquals(Files.readAllBytes(metricsJson), mlflow.reader().download(root + ftId + "/artifacts/metrics.json"));
        assertEquals(new TreeSet<>(List.of("report/figs/cm.png", "report/summary.md")),
                new TreeSet<>(mlflow.reader().artifactFiles(parentId, "")));
        assertArrayEquals(png, mlflow.reader().download(root + parentId + "/artifacts/report/figs/cm.png"));
    }

    @Test
    void resumedStepReusesItsRunAndKeepsFirstParamValues() throws Exception {
        Path stepDir = mlflow.work().resolve("outputs/resume/ft");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream log = new PrintStream(err, true, StandardCharsets.UTF_8);
        String first;
        try (MlflowTracker tracker = new MlflowTracker(mlflow.server().endpoint(), log)) {
            TrackedRun parent = tracker.startStudy(RunSpec.of("resume", "study", "resume", stepDir.getParent()));
            TrackedRun run = tracker.startStep(parent, RunSpec.of("resume", "ft/a", "ft/a", stepDir));
            run.logParams(Map.of("training", Map.of("learning_rate", 0.1)));
            run.logMetric("loss", 1.0, 0);
            run.end(RunStatus.FAILED);
            first = run.runId().orElseThrow();
        }
        try (MlflowTracker tracker = new MlflowTracker(mlflow.server().endpoint(), log)) {
            TrackedRun parent = tracker.startStudy(RunSpec.of("resume", "study", "resume", stepDir.getParent()));
            TrackedRun run = tracker.startStep(parent, RunSpec.of("resume", "ft/a", "ft/a", stepDir)
                    .withSlurmJobId("77"));
            assertEquals(first, run.runId().orElseThrow());
            assertEquals("RUNNING", mlflow.reader().get("/api/2.0/mlflow/runs/get?run_id=" + first).at("/run/info/status").asText());
            run.logParams(Map.of("training", Map.of("learning_rate", 0.2, "epochs", 3)));
            run.logMetric("loss", 0.5, 1);
            run.end(RunStatus.FINISHED);
        }
        Map<String, JsonNode> runs = mlflow.reader().runs(mlflow.reader().experimentId("resume"));
        assertEquals(Set.of("resume", "ft/a"), runs.keySet());
        JsonNode run = runs.get("ft/a");
        assertEquals(Map.of("training.learning_rate", "0.1", "training.epochs", "3"), MlflowReader.params(run));
        assertEquals("77", MlflowReader.tags(run).get("slurm_job_id"));
        assertEquals("FINISHED", run.at("/info/status").asText());
        assertEquals(2, mlflow.reader().history(first, "loss").size());
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("[training.learning_rate]"), err.toString());
    }
}
