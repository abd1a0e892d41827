package io.mergelab.train;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mergelab.data.Example;
import io.mergelab.model.checkpoint.CheckpointDir;
import io.mergelab.model.gpt2.Gpt2Checkpoints;
import io.mergelab.model.gpt2.Gpt2Checkpoints.LoadedClassifier;
import io.mergelab.model.gpt2.TorchOwned;
import io.mergelab.testutil.Tolerance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A fine-tune against transformers' GPT2ForSequenceClassification trained by torch (golden:
 * tools/golden/make_finetune_golden.py): three AdamW steps with gradient accumulation, clipping, weight decay and a
 * linear schedule on the fake-gpt2 checkpoint, whose real 50 257-row vocabulary makes the token embedding's
 * row-wise training ({@link EmbeddingRows}) do what it does on GPT-2 itself. Checked: each step's loss and
 * gradient norm, every final weight, the embedding rows the sentences use and rows none uses (decay only). The
 * dense-gradient path must meet the same golden values.
 */
class FineTuneGoldenTest {
    /** Step losses (~0.69): float32 forward passes of 2-wide activations, a few ulps apart (seen 4e-8 relative). */
    private static final Tolerance LOSS = Tolerance.relative(2e-7, 1e-9);
    /**
     * Global gradient norms: float32 backward passes, then per-tensor norms summed in another order (the row-wise
     * embedding's from its used rows only); seen 9e-7 relative.
     */
    private static final Tolerance NORM = Tolerance.relative(2e-6, 1e-9);
    /**
     * Final weights. AdamW moves a weight by up to lr per step whatever its gradient's size, so where a gradient is
     * tiny (position embeddings only the longest sentences reach) its rounding moves m/√v in the fourth digit:
     * seen 5.5e-7 where three steps move weights by up to 3e-2. Bound: 1e-4 of that movement, 3e-6, over a 1e-5
     * relative term for the rest.
     */
    private static final Tolerance WEIGHTS = Tolerance.relative(1e-5, 3e-6);

    @TempDir
    Path tmp;

    @Test
    void rowWiseEmbeddingMatchesTorch() throws IOException {
        check(false);
    }

    @Test
    void denseEmbeddingMatchesTorch() throws IOException {
        check(true);
    }

    private void check(boolean dense) throws IOException {
        JsonNode g = new ObjectMapper().readTree(Path.of("src/test/resources/golden/train/finetune-fake-gpt2.json")
                .toFile());
        Path fake = Path.of("src/test/resources/models/fake-gpt2").toAbsolutePath();
        Path start = tmp.resolve("start");
        try (NDManager m = NDManager.newBaseManager()) {
            LoadedClassifier c = Gpt2Checkpoints.loadClassifier(CheckpointDir.open(fake), m, TrainFixtures.BINARY, 0);
            TorchOwned.replace(c.model().namedParameters().get("score.weight").getArray(), floats(g.get("score_initial")));
            Gpt2Checkpoints.saveClassifier(c, fake, start, false);
        }
        // FineTuner visits rows in EpochOrder's permutation; place them so that it visits the golden order
        int n = g.get("texts").size();
        long seed = 42;
        int[] perm = EpochOrder.permutation(n, seed, 0);
        Example[] train = new Example[n];
        for (int i = 0; i < n; i++) {
            train[perm[i]] = new Example(g.get("texts").get(i).asText(), g.get("labels").get(i).asInt());
        }
        TrainingArgs args = TrainingArgs.fromMap(Map.ofEntries(Map.entry("learning_rate", g.get("learning_rate").asDouble()),
                Map.entry("per_device_train_batch_size", g.get("batch_size").asInt()),
                Map.entry("gradient_accumulation_steps", g.get("gradient_accumulation_steps").asInt()),
                Map.entry("num_train_epochs", 1), Map.entry("weight_decay", g.get("weight_decay").asDouble()),
                Map.entry("max_grad_norm", g.get("max_grad_norm").asDouble()), Map.entry("warmup_steps", 0),
                Map.entry("lr_scheduler_type", "linear"), Map.entry("dropout", 0.0), Map.entry("logging_steps", 1),
                Map.entry("save_strategy", "no"), Map.entry("seed", seed)));
        Path out = tmp.resolve(dense ? "dense" : "rows");
        FineTuner tuner = new FineTuner(args, System.err, false);
        (dense ? tuner.withDenseEmbeddingGradient() : tuner).run(new FineTuneJob(start, TrainFixtures.BINARY,
                Arrays.asList(train), List.of(), List.of(), out, false));

        List<JsonNode> logged = new ArrayList<>();
        new ObjectMapper().readTree(out.resolve(FineTuner.TRAINING_STATE).toFile()).get("log_history").forEach(e -> {
            if (e.has("loss")) {
                logged.add(e);
            }
        });
        assertEquals(g.get("history").size(), logged.size(), "logged steps");
        double worstLoss = 0;
        double worstNorm = 0;
        for (int i = 0; i < logged.size(); i++) {
            JsonNode want = g.get("history").get(i);
            worstLoss = Math.max(worstLoss, LOSS.assertClose(want.get("loss").asDouble(),
                    logged.get(i).get("loss").asDouble(), "loss at step " + (i + 1)));
            worstNorm = Math.max(worstNorm, NORM.assertClose(want.get("grad_norm").asDouble(),
                    logged.get(i).get("grad_norm").asDouble(), "grad norm at step " + (i + 1)));
            assertEquals(want.get("learning_rate").asDouble(), logged.get(i).get("learning_rate").asDouble(), 1e-12);
        }
        CheckpointDir trained = CheckpointDir.open(out);
        double worstWeight = 0;
        var fields = g.get("final").fields();
        while (fields.hasNext()) {
            var e = fields.next();
            String canonical = e.getKey().startsWith("transformer.") ? e.getKey().substring("transformer.".length())
                    : e.getKey();
            worstWeight = Math.max(worstWeight, WEIGHTS.assertClose(floats(e.getValue().get("values")),
                    trained.readCanonical(canonical).data(), e.getKey()));
        }
        float[] wte = trained.readCanonical("wte.weight").data();
        int width = wte.length / 50257;
        var rows = g.get("wte_rows").fields();
        while (rows.hasNext()) {
            var e = rows.next();
            int row = Integer.parseInt(e.getKey());
            worstWeight = Math.max(worstWeight, WEIGHTS.assertClose(floats(e.getValue()),
                    Arrays.copyOfRange(wte, row * width, (row + 1) * width), "wte row " + row));
        }
        System.err.printf("fine-tune golden (%s embedding): worst fraction of bound used: loss %.3f, grad norm %.3f, "
                + "weights %.3f%n", dense ? "dense" : "row-wise", worstLoss, worstNorm, worstWeight);
    }

    private static float[] floats(JsonNode a) {
        float[] out = new float[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) a.get(i).asDouble();
        }
        return out;
    }
}
