package io.mergelab.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mergelab.data.Example;
import io.mergelab.model.checkpoint.CheckpointDir;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Training the token embedding by rows gives the dense gradient's weights to the bit when no clipping reorders
 * the gradient norm's sum: same final weights, same evaluations along the way (which read the whole embedding,
 * so every deferred decay must be in it), same resume checkpoint. With clipping the two agree with torch
 * within FineTuneGoldenTest's bounds.
 */
class EmbeddingRowsTest {
    @TempDir
    Path tmp;

    @Test
    void rowWiseTrainingIsBitIdenticalToDense() throws Exception {
        Path model = Path.of("src/test/resources/models/fake-gpt2").toAbsolutePath();
        List<List<Example>> s = TrainFixtures.yelpSplits();
        TrainingArgs args = TrainingArgs.fromMap(Map.ofEntries(Map.entry("learning_rate", 1e-2),
                Map.entry("per_device_train_batch_size", 4), Map.entry("gradient_accumulation_steps", 2),
                Map.entry("max_steps", 6), Map.entry("weight_decay", 0.05), Map.entry("max_grad_norm", 0.0),
                Map.entry("warmup_steps", 2), Map.entry("eval_strategy", "steps"), Map.entry("eval_steps", 2),
                Map.entry("save_strategy", "steps"), Map.entry("save_steps", 3), Map.entry("save_total_limit", 1),
                Map.entry("logging_steps", 1), Map.entry("seed", 3)));
        FineTuneJob rowsJob = new FineTuneJob(model, TrainFixtures.BINARY, s.get(0).subList(0, 48),
                s.get(1).subList(0, 20), List.of(), tmp.resolve("rows"), false);
        FineTuneJob denseJob = new FineTuneJob(model, TrainFixtures.BINARY, s.get(0).subList(0, 48),
                s.get(1).subList(0, 20), List.of(), tmp.resolve("dense"), false);
        new FineTuner(args, System.err, false).run(rowsJob);
        new FineTuner(args, System.err, false).withDenseEmbeddingGradient().run(denseJob);

        WeightsComparison.assertBitIdentical(tmp.resolve("dense"), tmp.resolve("rows"), "row-wise vs dense embedding");
        JsonNode rows = history(tmp.resolve("rows"));
        JsonNode dense = history(tmp.resolve("dense"));
        assertEquals(dense.size(), rows.size());
        int evals = 0;
        for (int i = 0; i < dense.size(); i++) {
            for (String k : List.of("loss", "eval_loss", "eval_accuracy")) {
                if (dense.get(i).has(k)) {
                    assertEquals(dense.get(i).get(k).asDouble(), rows.get(i).get(k).asDouble(), k + " at " + i);
                    evals += k.equals("eval_loss") ? 1 : 0;
                }
            }
        }
        assertEquals(3, evals, "evaluations at steps 2, 4, 6");

        // the embedding trained at all, and rows no sentence uses moved by decay alone
        float[] before = CheckpointDir.open(model).readCanonical("wte.weight").data();
        float[] after = CheckpointDir.open(tmp.resolve("rows")).readCanonical("wte.weight").data();
        assertFalse(java.util.Arrays.equals(before, after));
        int unused = 42424 * 2; // a row no Yelp sentence of the slice uses: six decays of (1 - lr·wd) each
        assertNotEquals(before[unused], after[unused]);
        assertTrue(Math.abs(after[unused] / before[unused] - 1) < 6 * 1e-2 * 0.05 + 1e-6,
                before[unused] + " -> " + after[unused]);
        assertTrue(Files.isDirectory(tmp.resolve("rows").resolve("checkpoints").resolve("checkpoint-6"))
                || Files.notExists(tmp.resolve("rows").resolve("checkpoints")), "resume checkpoints end cleaned");
    }

    private static JsonNode history(Path out) throws Exception {
        return new ObjectMapper().readTree(out.resolve(FineTuner.TRAINING_STATE).toFile()).get("log_history");
    }
}
