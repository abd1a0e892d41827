package io.mergelab.track;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mergelab.cli.Main;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real study (factory model, two fine-tunes on disjoint halves of Yelp, one TIES merge, evaluations, report)
 * run through {@code mergelab run} with tracking pointed at a real MLflow server; every run, param, metric
 * history, tag and artifact is read back over REST. A rerun finds everything done and creates no runs.
 */
@Tag("mlflow")
class StudyTrackingServerTest {
    @RegisterExtension
    static final MlflowServerExtension mlflow = new MlflowServerExtension("study-");

    static final String STUDY = """
            name: tracked
            seed: 7
            base_model: {preset: tiny}
            datasets: [yelp]
            variants:
              - {dataset: yelp, count: 2, split: disjoint, name: "yelp_{i}"}
            training_args:
              learning_rate: 5.0e-4
              num_train_epochs: 1
              max_steps: 4
              logging_steps: 1
              per_device_train_batch_size: 8
              per_device_eval_batch_size: 64
              max_length: 32
              eval_strategy: epoch
            merges:
              - {name: ties, method: ties, base_model: base, models: [yelp_0, yelp_1],
                 parameters: {density: 0.9, lambda: 1.0}}
            evaluate:
              splits: [validation, test]
              baselines: {variants: true, ensemble: false, stacker: false}
            executor: {kind: local, parallelism: 1}
            tracking: {experiment: tracked-study}
            """;

    @Test
    void studyRunLandsInMlflowAndARerunAddsNothing() throws Exception {
        Path config = Files.writeString(mlflow.work().resolve("tracked.yaml"), STUDY);
        Path outputs = mlflow.work().resolve("outputs");
        String[] run = {"run", "--outputs", outputs.toString(), "--set", "tracking.uri=" + mlflow.server().url(),
                "--set", "evaluate.splits=[validation, test]", config.toString()};
        assertEquals(0, Main.execute(run));
        Path studyDir = outputs.resolve("tracked");

        String exp = mlflow.reader().experimentId("tracked-study");
        Map<String, JsonNode> runs = mlflow.reader().runs(exp);
        // the names the study gives its models (variants, merges), as the report lists them
        String ft0 = "yelp_0";
        String ft1 = "yelp_1";
        String merge = "ties";
        Set<String> expected = new TreeSet<>(List.of("tracked", ft0, ft1, merge,
                "eval/yelp_0/yelp/test", "eval/yelp_0/yelp/validation", "eval/yelp_1/yelp/test",
                "eval/yelp_1/yelp/validation", "eval/ties/yelp/test", "eval/ties/yelp/validation"));
        assertEquals(expected, new TreeSet<>(runs.keySet()));

        // every run finished, children nested under the study run, standard tags everywhere
        JsonNode parent = runs.get("tracked");
        String parentId = parent.at("/info/run_id").asText();
        String commit = gitHead();
        for (var e : runs.entrySet()) {
            Map<String, String> tags = MlflowReader.tags(e.getValue());
            assertEquals("FINISHED", e.getValue().at("/info/status").asText(), e.getKey());
            assertEquals("tracked-study", tags.get(RunTags.STUDY), e.getKey());
            assertEquals("local", tags.get(RunTags.EXECUTOR), e.getKey());
            assertTrue(tags.getOrDefault(RunTags.CONFIG_HASH, "").matches("[0-9a-f]{12}"), e.getKey() + " " + tags);
            if (commit != null) {
                assertEquals(commit, tags.get(RunTags.GIT_COMMIT), e.getKey());
            }
            // the runs table's User and Source columns
            assertEquals(System.getenv().getOrDefault("USER", System.getProperty("user.name")),
                    tags.get(RunTags.USER), e.getKey());
            assertEquals(config.toAbsolutePath().normalize().toString(), tags.get(RunTags.SOURCE_NAME), e.getKey());
            assertEquals("LOCAL", tags.get(RunTags.SOURCE_TYPE), e.getKey());
            if (!e.getKey().equals("tracked")) {
                assertEquals(parentId, tags.get(RunTags.PARENT_RUN_ID), e.getKey());
                assertTrue(Files.isDirectory(studyDir.resolve(tags.get(RunTags.STEP_ID))), e.getKey());
                assertTrue(tags.get(RunTags.STEP_ID).endsWith(tags.get(RunTags.CONFIG_HASH)), e.getKey());
                assertEquals("yelp", tags.get(RunTags.DATASET), e.getKey());
            }
        }
        assertEquals("study-tracked", MlflowReader.tags(parent).get(RunTags.STEP_ID));

        // fine-tune: resolved config as params, per-step training curve, per-epoch validation, artifacts
        JsonNode ft = runs.get(ft0);
        String ftId = ft.at("/info/run_id").asText();
        Map<String, String> ftParams = MlflowReader.params(ft);
        assertEquals("5.0E-4", ftParams.get("training_args.learning_rate"));
        assertEquals("4", ftParams.get("training_args.max_steps"));
        // the arguments the study left at their defaults are logged too, as transformers' callback logs them
        assertEquals("linear", ftParams.get("training_args.lr_scheduler_type"));
        assertEquals("0.9", ftParams.get("training_args.adam_beta1"));
        assertEquals("0", ftParams.get("slice_index"));
        assertEquals("2", ftParams.get("slice_count"));
        assertEquals("finetune", MlflowReader.tags(ft).get(RunTags.METHOD));
        assertEquals("yelp_0", MlflowReader.tags(ft).get("model"));
        JsonNode history = new ObjectMapper().readTree(studyDir.resolve(MlflowReader.tags(ft).get(RunTags.STEP_ID))
                .resolve("model/training_state.json").toFile()).path("log_history");
        List<double[]> loss = mlflow.reader().history(ftId, "train.loss");
        assertEquals(List.of(1.0, 2.0, 3.0, 4.0), loss.stream().map(p -> p[0]).toList());
        int i = 0;
        for (JsonNode h : history) {
            if (h.has("loss")) {
                assertEquals(h.get("loss").asDouble(), loss.get(i++)[1], 1e-9);
            }
        }
        // live, as transformers' MLflow callback logs: every training metric reached the server before the
        // trainer wrote its final model, i.e. while the fine-tune step was still running
        long modelWritten = Files.getLastModifiedTime(studyDir.resolve(MlflowReader.tags(ft).get(RunTags.STEP_ID))
                .resolve("model/model.safetensors")).toMillis();
        for (String key : List.of("train.loss", "train.grad_norm", "validation.accuracy")) {
            for (long[] t : mlflow.reader().timestamps(ftId, key)) {
                assertTrue(t[1] <= modelWritten, key + " at step " + t[0] + " logged at " + t[1]
                        + ", after the model was written at " + modelWritten);
            }
        }
        assertEquals(4, mlflow.reader().history(ftId, "train.learning_rate").size());
        assertEquals(4, mlflow.reader().history(ftId, "train.grad_norm").size());
        List<double[]> val = mlflow.reader().history(ftId, "validation.accuracy");
        assertEquals(1, val.size(), "one epoch, one validation");
        assertEquals(4.0, val.get(0)[0]);
        assertTrue(metrics(ft).containsKey("train_loss"), metrics(ft).toString());
        // the final checkpoint itself (a tiny model: under tracking.upload_models_mb), loadable from the run
        Set<String> ftFiles = new TreeSet<>(mlflow.reader().artifactFiles(ftId, ""));
        assertTrue(ftFiles.containsAll(Set.of("config.yaml", "metrics.json", "training_state.json",
                "trainer/metrics.json", "model/config.json", "model/model.safetensors", "model/tokenizer.json")),
                ftFiles.toString());
        byte[] weights = mlflow.reader().download("/get-artifact?path=model/model.safetensors&run_uuid=" + ftId);
        assertEquals(Files.size(studyDir.resolve(MlflowReader.tags(ft).get(RunTags.STEP_ID))
                .resolve("model/model.safetensors")), weights.length);
        // the model config beside the arguments, as transformers' callback logs model.config
        assertEquals("gpt2", ftParams.get("model.model_type"));
        assertEquals("2", ftParams.get("model.num_labels"));
        assertTrue(ftParams.containsKey("model.n_layer") && ftParams.containsKey("model.n_embd"), ftParams.toString());
        assertTrue(Files.isDirectory(Path.of(MlflowReader.tags(ft).get("model_path"))));
        // the data it read, as MLflow dataset inputs: its slice of the training file and the validation file
        Map<String, JsonNode> ftInputs = MlflowReader.datasetInputs(ft);
        assertEquals(Set.of("yelp/train", "yelp/validation"), ftInputs.keySet());
        assertEquals("training", MlflowReader.context(ftInputs.get("yelp/train")));
        assertTrue(ftInputs.get("yelp/train").at("/dataset/profile").asText().contains("slice 0 of 2"),
                ftInputs.get("yelp/train").toString());
        assertTrue(ftInputs.get("yelp/train").at("/dataset/digest").asText().matches("[0-9a-f]{12}"));

        // merge: recipe, its models by name, merge time, artifacts; the model path as a tag, not a copy
        JsonNode m = runs.get(merge);
        String mergeId = m.at("/info/run_id").asText();
        assertEquals("ties", MlflowReader.params(m).get("method"));
        assertEquals("0.9", MlflowReader.params(m).get("parameters.density"));
        assertEquals("[yelp_0, yelp_1]", MlflowReader.params(m).get("merge.models"));
        // every per-model parameter under the variant's name (TIES without weights: the planner's equal weights)
        assertEquals("0.5", MlflowReader.params(m).get("merge.yelp_0.weight"), MlflowReader.params(m).toString());
        assertEquals("0.5", MlflowReader.params(m).get("merge.yelp_1.weight"));
        assertEquals("1.0", MlflowReader.params(m).get("parameters.lambda"));
        assertEquals("gpt2", MlflowReader.params(m).get("model.model_type"));
        assertEquals("ties", MlflowReader.tags(m).get(RunTags.METHOD));
        assertTrue(metrics(m).get("merge.seconds") > 0);
        assertTrue(metrics(m).get("merge.jvm_heap_peak_mb") > 0);
        assertTrue(Files.isDirectory(Path.of(MlflowReader.tags(m).get("model_path"))));
        assertTrue(new TreeSet<>(mlflow.reader().artifactFiles(mergeId, "")).containsAll(Set.of("config.yaml",
                "metrics.json", "mergekit_config.yml", "model/config.json")),
                mlflow.reader().artifactFiles(mergeId, "").toString());

        // evaluation: final test metrics per dataset equal to what the pipeline wrote
        JsonNode ev = runs.get("eval/ties/yelp/test");
        String evId = ev.at("/info/run_id").asText();
        JsonNode result = new ObjectMapper().readTree(studyDir.resolve(MlflowReader.tags(ev).get(RunTags.STEP_ID))
                .resolve("result.json").toFile()).path("metrics");
        Map<String, Double> evMetrics = metrics(ev);
        for (String k : List.of("accuracy", "f1_macro", "loss", "ece")) {
            assertEquals(result.get(k).asDouble(), evMetrics.get(k), 1e-12, k);
        }
        assertEquals("test", MlflowReader.tags(ev).get("split"));
        // one metric name per quantity: every evaluation run, whatever its model, split or dataset, has the same
        // metric keys, so one "accuracy" column in the UI compares them all
        Set<String> evalKeys = null;
        for (var e : runs.entrySet()) {
            if (e.getKey().startsWith("eval/")) {
                Set<String> keys = new TreeSet<>(metrics(e.getValue()).keySet());
                assertTrue(keys.contains("accuracy") && keys.contains("f1_macro"), e.getKey() + " " + keys);
                assertTrue(evalKeys == null || evalKeys.equals(keys), e.getKey() + " " + keys + " vs " + evalKeys);
                evalKeys = keys;
                Map<String, JsonNode> in = MlflowReader.datasetInputs(e.getValue());
                String split = MlflowReader.tags(e.getValue()).get("split");
                assertEquals(Set.of("yelp/" + split), in.keySet(), e.getKey());
                assertEquals(split, MlflowReader.context(in.get("yelp/" + split)), e.getKey());
            }
        }
        assertEquals(Set.of("confusion.png", "config.yaml", "metrics.json", "result.json"),
                new TreeSet<>(mlflow.reader().artifactFiles(evId, "")));
        byte[] png = mlflow.reader().download("/get-artifact?path=confusion.png&run_uuid=" + evId);
        assertTrue(png.length > 1000 && png[1] == 'P' && png[2] == 'N' && png[3] == 'G', "confusion.png is a PNG");
        String yaml = new String(mlflow.reader().download("/get-artifact?path=config.yaml&run_uuid=" + evId),
                StandardCharsets.UTF_8);
        assertTrue(yaml.contains("kind: evaluate") && yaml.contains("split: test"), yaml);

        // study run: its config, the plan, the whole report (plots and confusion matrices), a summary per model
        Map<String, Double> summary = metrics(parent);
        assertEquals(result.get("accuracy").asDouble(), summary.get("ties.test.yelp.accuracy"), 1e-12);
        assertTrue(summary.containsKey("yelp_1.test.yelp.f1_macro"), summary.keySet().toString());
        // base, data, 2 fine-tunes, merge, 6 evaluations, the task-vector analysis, report
        assertEquals(13.0, summary.get("steps_ran"));
        // the analysis's measures, on the study run (its tables and heatmaps are in the report's artifacts)
        assertTrue(summary.get("analysis.cosine.yelp_0.yelp_1") > -1 && summary.get("analysis.cosine.yelp_0.yelp_1") < 1,
                summary.keySet().toString());
        assertTrue(summary.containsKey("analysis.sign_conflict_all.d0.9") && summary.containsKey("analysis.l2_norm.yelp_1"),
                summary.keySet().toString());
        assertEquals(0.0, summary.get("steps_failed"));
        List<String> parentFiles = mlflow.reader().artifactFiles(parentId, "");
        for (String f : List.of("config/tracked.yaml", "config/resolved.yaml", "config/plan.json",
                "report/results.md", "report/results.csv", "report/analysis/cosine.png", "report/significance.csv",
                "report/plots/confusion_best_merge_yelp.png")) {
            assertTrue(parentFiles.contains(f), f + " in " + parentFiles);
        }
        assertEquals("[yelp_0, yelp_1]", MlflowReader.params(parent).get("variants"));
        assertEquals("5.0E-4", MlflowReader.params(parent).get("training_args.learning_rate"));
        assertEquals("tracking.uri=" + mlflow.server().url() + " evaluate.splits=[validation, test]",
                MlflowReader.params(parent).get("overrides"));
        String resolved = new String(mlflow.reader().download("/get-artifact?path=config/resolved.yaml&run_uuid="
                + parentId), StandardCharsets.UTF_8);
        assertTrue(resolved.contains("#   --set evaluate.splits=[validation, test]") && resolved.contains("uri: "
                + mlflow.server().url()) && resolved.contains("density: 0.9"), resolved);

        // rerun: everything is done, no run is created or touched
        Map<String, String> before = ids(runs);
        assertEquals(0, Main.execute(run));
        Map<String, JsonNode> again = mlflow.reader().runs(exp);
        assertEquals(before, ids(again));
        for (var e : again.entrySet()) {
            assertEquals("FINISHED", e.getValue().at("/info/status").asText(), e.getKey());
        }
        assertEquals(4, mlflow.reader().history(ftId, "train.loss").size(), "no metric logged twice");
    }

    private static Map<String, Double> metrics(JsonNode run) {
        Map<String, Double> out = new LinkedHashMap<>();
        run.at("/data/metrics").forEach(x -> out.put(x.get("key").asText(), x.get("value").asDouble()));
        return out;
    }

    private static Map<String, String> ids(Map<String, JsonNode> runs) {
        return runs.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey,
                e -> e.getValue().at("/info/run_id").asText()));
    }

    /** The commit the runs should carry: HEAD of this checkout, when it is one. */
    private static String gitHead() throws Exception {
        if (!Files.exists(Path.of(".git"))) {
            return null;
        }
        Process p = new ProcessBuilder("git", "rev-parse", "HEAD").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        return p.waitFor() == 0 ? out : null;
    }
}
