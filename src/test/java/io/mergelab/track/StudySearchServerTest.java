package io.mergelab.track;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mergelab.cli.Main;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A study with a {@code search:} section run through {@code mergelab run} against a real MLflow server: the
 * search step runs after the fine-tunes, every candidate is a child run of the search run carrying its
 * parameters and score, the best model is evaluated by the study and sits in the report beside the fixed merge;
 * a rerun does nothing, and a search step whose work was interrupted resumes from its journal.
 */
@Tag("mlflow")
@Tag("slow")
class StudySearchServerTest {
    @RegisterExtension
    static final MlflowServerExtension mlflow = new MlflowServerExtension("search-");

    static final String STUDY = """
            name: searched
            seed: 7
            base_model: {preset: tiny}
            datasets: [yelp]
            variants:
              - {dataset: yelp, count: 2, split: disjoint, name: "yelp_{i}"}
            training_args:
              learning_rate: 2.0e-3
              max_steps: 6
              per_device_train_batch_size: 8
              per_device_eval_batch_size: 64
              max_length: 32
            merges:
              - {name: task_arithmetic, method: task_arithmetic, base_model: base, models: [yelp_0, yelp_1],
                 parameters: {weight: 0.5}}
            search:
              name: ta_search
              merge: {method: task_arithmetic, base_model: base, models: [yelp_0, yelp_1]}
              free:
                - {param: weight, min: 0.0, max: 1.5}
              objective: {metric: accuracy, datasets: [yelp]}
              budget: {candidates: 5}
              strategy: random
              seed: 3
              keep_best: 2
              eval: {batch_size: 64, max_length: 32}
            evaluate:
              splits: [validation, test]
              baselines: {variants: false, ensemble: false, stacker: false}
            executor: {kind: local, parallelism: 1}
            tracking: {experiment: searched-study}
            """;

    @Test
    void searchStepTracksEveryCandidateAndItsBestModelIsReported() throws Exception {
        Path config = Files.writeString(mlflow.work().resolve("searched.yaml"), STUDY);
        Path outputs = mlflow.work().resolve("outputs");
        String[] run = {"run", "--outputs", outputs.toString(), "--set", "tracking.uri=" + mlflow.server().url(),
                config.toString()};
        assertEquals(0, Main.execute(run));
        Path studyDir = outputs.resolve("searched");
        Path searchDir = only(studyDir, "search-");
        for (String f : List.of("best_config.yaml", "best_score_vs_candidates.png", "search_summary.json",
                "journal.jsonl", "model/config.json", "model/model.safetensors")) {
            assertTrue(Files.isRegularFile(searchDir.resolve(f)), f);
        }
        JsonNode summary = new ObjectMapper().readTree(searchDir.resolve("search_summary.json").toFile());
        assertEquals(5, summary.get("candidates").asInt());
        assertEquals(5, summary.get("evaluated_by_this_run").asInt());
        int bestIndex = summary.at("/best/candidate").asInt();
        assertTrue(Files.isDirectory(searchDir.resolve(String.format("best/candidate-%05d", bestIndex))));

        // MLflow: the search run with 5 candidate children, each with its weight and its validation score
        String exp = mlflow.reader().experimentId("searched-study");
        Map<String, JsonNode> runs = mlflow.reader().runs(exp);
        JsonNode parent = runs.get("search/ta_search");
        assertTrue(parent != null, runs.keySet().toString());
        String parentId = parent.at("/info/run_id").asText();
        JsonNode scores = summary.get("validation_scores");
        for (int i = 0; i < 5; i++) {
            JsonNode child = runs.get(String.format("search/ta_search/candidate-%05d", i));
            assertTrue(child != null, "candidate " + i + " in " + runs.keySet());
            assertEquals(parentId, MlflowReader.tags(child).get(RunTags.PARENT_RUN_ID));
            assertEquals("FINISHED", child.at("/info/status").asText());
            Map<String, String> params = MlflowReader.params(child);
            double w0 = Double.parseDouble(params.get("weight.yelp_0"));
            double w1 = Double.parseDouble(params.get("weight.yelp_1"));
            assertTrue(w0 >= 0 && w0 <= 1.5 && w1 >= 0 && w1 <= 1.5, params.toString());
            assertEquals(Integer.toString(i), params.get("candidate"));
            assertEquals(scores.get(i).asDouble(), metrics(child).get("score"), 1e-12);
            assertEquals(scores.get(i).asDouble(), metrics(child).get("validation_accuracy"), 1e-12);
        }
        assertEquals(summary.at("/best/validation").asDouble(), metrics(parent).get("best_validation_accuracy"),
                1e-12);

        // the study evaluated the best model on test; the report lists it beside the fixed-parameter merge
        Path result = studyDir.resolve(evaluation(studyDir, "ta_search", "test")).resolve("result.json");
        JsonNode r = new ObjectMapper().readTree(result.toFile());
        assertEquals("merge", r.get("role").asText());
        assertEquals(summary.at("/best/test").asDouble(), r.at("/metrics/accuracy").asDouble(), 1e-9,
                "the study's test evaluation of the best model equals the search's own");
        String table = Files.readString(studyDir.resolve("report/results.md"));
        assertTrue(table.contains("ta_search") && table.contains("task_arithmetic"), table);

        // rerun: nothing to do, no run created
        int before = runs.size();
        assertEquals(0, Main.execute(run));
        assertEquals(before, mlflow.reader().runs(exp).size());

        // an interrupted search step: its folder back as work in progress, the report gone; the rerun
        // replays the journal (no candidate scored again) and commits the same best model
        Path report = only(studyDir, "report-");
        Path evalDir = studyDir.resolve(evaluation(studyDir, "ta_search", "test"));
        io.mergelab.pipeline.StepStore.deleteRecursively(report);
        io.mergelab.pipeline.StepStore.deleteRecursively(evalDir);
        Path workDir = studyDir.resolve(".work").resolve(searchDir.getFileName());
        Files.createDirectories(workDir.getParent());
        Files.move(searchDir, workDir);
        io.mergelab.pipeline.StepStore.deleteRecursively(workDir.resolve("model"));
        assertEquals(0, Main.execute(run));
        JsonNode again = new ObjectMapper().readTree(searchDir.resolve("search_summary.json").toFile());
        assertEquals(0, again.get("evaluated_by_this_run").asInt());
        assertEquals(bestIndex, again.at("/best/candidate").asInt());
        assertEquals(r.at("/metrics/accuracy").asDouble(), new ObjectMapper().readTree(studyDir.resolve(
                evaluation(studyDir, "ta_search", "test")).resolve("result.json").toFile()).at("/metrics/accuracy")
                .asDouble(), 1e-12);
        assertEquals(before, mlflow.reader().runs(exp).size(), "the resumed search reuses its runs");
    }

    private static Path only(Path studyDir, String prefix) throws Exception {
        try (Stream<Path> s = Files.list(studyDir)) {
            List<Path> l = s.filter(p -> p.getFileName().toString().startsWith(prefix)).toList();
            assertEquals(1, l.size(), prefix + ": " + l);
            return l.get(0);
        }
    }

    /** The evaluate step folder of a model on a split (read from the step records). */
    private static String evaluation(Path studyDir, String model, String split) throws Exception {
        try (Stream<Path> s = Files.list(studyDir)) {
            for (Path p : s.filter(p -> p.getFileName().toString().startsWith("evaluate-")).toList()) {
                JsonNode rj = new ObjectMapper().readTree(p.resolve("result.json").toFile());
                if (rj.get("model").asText().equals(model) && rj.get("split").asText().equals(split)) {
                    return p.getFileName().toString();
                }
            }
        }
        throw new AssertionError("no evaluation of " + model + " on " + split);
    }

    private static Map<String, Double> metrics(JsonNode run) {
        Map<String, Double> out = new TreeMap<>();
        run.at("/data/metrics").forEach(x -> out.put(x.get("key").asText(), x.get("value").asDouble()));
        return out;
    }
}
