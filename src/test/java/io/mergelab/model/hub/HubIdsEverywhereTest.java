package io.mergelab.model.hub;

import ai.djl.ndarray.NDManager;
import io.mergelab.cli.Main;
import io.mergelab.model.checkpoint.CheckpointDir;
import io.mergelab.model.gpt2.Gpt2Checkpoints;
import io.mergelab.model.gpt2.Gpt2Factory;
import io.mergelab.model.gpt2.ModelPreset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 10's "done means": {@code fetch-model ID} into a temp cache from a hub on 127.0.0.1, then {@code eval ID} in a
 * fresh JVM with HF_HUB_OFFLINE=1 evaluates the cached snapshot, and gives the same metrics as the local directory.
 */
class HubIdsEverywhereTest {
    static final String ID = "org/tiny-yelp";

    @TempDir
    Path tmp;

    @Test
    void fetchThenEvalOfflineByIdGivesTheLocalDirectorysMetrics() throws Exception {
        Path classifier = yelpClassifier(tmp.resolve("local"));
        Path cache = tmp.resolve("hf-cache");
        try (FakeHub hub = new FakeHub()) {
            hub.addRepo(ID, HubFixtures.COMMIT, HubFixtures.filesOf(classifier), Set.of("model.safetensors"), null);
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            assertEquals(0, Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), "fetch-model", ID,
                    "--cache", cache.toString(), "--endpoint", hub.endpoint().toString()), err.toString());
            int requestsAfterFetch = hub.requests.size();

            Child byId = eval(cache, ID);
            assertEquals(0, byId.code(), byId.output());
            Child byDir = eval(cache, classifier.toString());
            assertEquals(0, byDir.code(), byDir.output());
            assertEquals(metrics(byDir.stdout()), metrics(byId.stdout()), "same weights, same metrics");
            assertTrue(byDir.stdout().contains("\"eval_samples_per_second\" : "), "eval reports its speed: "
                    + byDir.stdout());
            assertTrue(byId.stdout().contains("\"accuracy\""), byId.stdout());
            assertTrue(byId.stdout().contains(cache.resolve("models--org--tiny-yelp/snapshots")
                    .resolve(HubFixtures.COMMIT).toString()), byId.stdout());
            assertEquals(requestsAfterFetch, hub.requests.size(), "offline: the hub is not asked again");

            Child inspect = run(cache, List.of("inspect", ID + "@main"));
            assertEquals(0, inspect.code(), inspect.output());
            assertTrue(inspect.stdout().contains("score.weight") && inspect.stdout().contains("[2, 128]"),
                    inspect.stdout());

            Child missing = eval(cache, "org/never-fetched");
            assertEquals(1, missing.code(), missing.output());
            String line = missing.stderr().strip();
            assertEquals(1, line.lines().count(), "one line: " + line);
            assertTrue(line.startsWith("mergelab: error: --model org/never-fetched: no directory org/never-fetched; "
                    + "as a hub id: HF_HUB_OFFLINE is set"), line);
            assertTrue(line.contains("fetch-model org/never-fetched"), line);
        }
    }

    @Test
    void mergeRecipesAndStudyBasesNameHubIdsToo() throws Exception {
        Path classifier = yelpClassifier(tmp.resolve("local"));
        Path cache = tmp.resolve("hf-cache");
        try (FakeHub hub = new FakeHub()) {
            hub.addRepo(ID, HubFixtures.COMMIT, HubFixtures.filesOf(classifier), Set.of("model.safetensors"), null);
            HubModelResolver fromHub = new HubModelResolver(HubFixtures.settings(cache, hub), null);
            io.mergelab.merge.ModelInput in = new io.mergelab.merge.ModelResolver(tmp, fromHub)
                    .resolve(ID + "@main", "models[0].model");
            Path snapshot = cache.resolve("models--org--tiny-yelp/snapshots").resolve(HubFixtures.COMMIT);
            assertEquals(snapshot, in.dir().path(), "a recipe's hub id is downloaded into the cache");
            io.mergelab.merge.MergeException offline = org.junit.jupiter.api.Assertions.assertThrows(
                    io.mergelab.merge.MergeException.class, () -> new io.mergelab.merge.ModelResolver(tmp,
                            new HubModelResolver(HubFixtures.settings(tmp.resolve("empty"), hub).withOffline(true), null))
                            .resolve("org/absent", "models[1].model"));
            assertTrue(offline.getMessage().startsWith("models[1].model: model 'org/absent': no directory "
                    + tmp.resolve("org/absent") + "; as a hub id: HF_HUB_OFFLINE is set"), offline.getMessage());
        }

        // a study whose base_model is the id: its base step, run alone offline in a fresh JVM, points at the snapshot
        Path study = tmp.resolve("hub-base.yaml");
        Files.writeString(study, "name: hub-base\nbase_model: " + ID + "\ndatasets: [yelp]\n");
        Path home = Path.of("").toAbsolutePath();
        io.mergelab.pipeline.Studies studies = io.mergelab.pipeline.Studies.standard(home);
        io.mergelab.pipeline.Plan plan = studies.plan(studies.load(study, List.of()));
        io.mergelab.pipeline.Step base = plan.steps().get(0);
        assertEquals("base model " + ID, base.label());
        Child run = run(cache, List.of("run", study.toString(), "--only", base.id(), "--outputs",
                tmp.resolve("out").toString()));
        assertEquals(0, run.code(), run.output());
        try (var files = Files.walk(tmp.resolve("out"))) {
            Path pointer = files.filter(f -> f.getFileName().toString().equals("model.json")).findFirst().orElseThrow();
            assertTrue(Files.readString(pointer).contains(cache.resolve("models--org--tiny-yelp/snapshots")
                    .resolve(HubFixtures.COMMIT).toString()), Files.readString(pointer));
        }
    }

    /** A tiny GPT-2 with a seeded 2-label head, as a fine-tuned yelp classifier would be laid out. */
    static Path yelpClassifier(Path dir) throws IOException {
        Path base = dir.resolveSibling("base");
        Gpt2Factory.writeCheckpoint(ModelPreset.TINY, 5, base, Path.of("data/gpt2-tokenizer"), false);
        try (NDManager manager = NDManager.newBaseManager()) {
            Gpt2Checkpoints.saveClassifier(Gpt2Checkpoints.loadClassifier(CheckpointDir.open(base), manager,
                    List.of("negative", "positive"), 11L), base, dir, false);
        }
        return dir;
    }

    /** The metrics JSON without the line naming the model's path. */
    /** The metrics without what differs between two runs of the same weights: the model's path and the timings. */
    static String metrics(String json) {
        return json.lines().filter(l -> !l.contains("\"model\"") && !l.contains("\"eval_runtime\"")
                && !l.contains("_per_second\"")).reduce("", (a, b) -> a + b + "\n");
    }

    record Child(int code, String stdout, String stderr) {
        String output() {
            return stdout + stderr;
        }
    }

    private Child eval(Path cache, String model) throws Exception {
        return run(cache, List.of("eval", "--model", model, "--dataset", "configs/datasets/yelp.yaml", "--split", "test",
                "--max-length", "32"));
    }

    /** {@code mergelab ARGS} in a fresh JVM whose environment says: this cache, offline. */
    private Child run(Path cache, List<String> args) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx1g", "-Dai.djl.offline=true",
                "-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"), "-cp", System.getProperty("java.class.path"),
                "io.mergelab.cli.Main"));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("OPT_OUT_TRACKING", "true");
        pb.environment().remove("PYTORCH_LIBRARY_PATH");
        pb.environment().put("HF_HUB_CACHE", cache.toString());
        pb.environment().put("HF_HUB_OFFLINE", "1");
        pb.environment().put("HF_ENDPOINT", "http://127.0.0.1:9"); // nothing listens: any request would fail
        pb.environment().remove("MLFLOW_TRACKING_URI");
        Path out = Files.createTempFile(tmp, "eval", ".out");
        Path err = Files.createTempFile(tmp, "eval", ".err");
        pb.redirectOutput(out.toFile());
        pb.redirectError(err.toFile());
        Process p = pb.start();
        if (!p.waitFor(3, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("eval did not finish in 3 minutes");
        }
        return new Child(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }
}
