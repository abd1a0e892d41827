package io.mergelab.train;

import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mergelab.model.checkpoint.CheckpointDir;
import io.mergelab.model.gpt2.Gpt2Checkpoints;
import io.mergelab.model.gpt2.Gpt2Factory;
import io.mergelab.model.gpt2.Gpt2LmHeadModel;
import io.mergelab.model.gpt2.ModelPreset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Causal-LM loss and three pre-training steps against transformers' GPT2LMHeadModel(labels=input_ids) and
 * torch.optim.AdamW + clip_grad_norm_ on the factory tiny model (seed 7). Golden:
 * tools/golden/make_clm_golden.py. Tolerances: 1e-5 on the untrained loss (~10.86; float32 log-softmax over
 * 50 257 logits), 2e-4 on losses and gradient norms after updates at lr 1e-2 (float rounding compounds);
 * the sampled-softmax loss over 126 candidates to 1e-5, its gradient norm (~6.6) to 1e-4.
 */
class CausalLmGoldenTest {
    private static JsonNode golden() throws IOException {
        return new ObjectMapper().readTree(Path.of("src/test/resources/golden/pretrain/clm-tiny-seed7.json").toFile());
    }

    private static TokenBlocks blocks(JsonNode g) {
        JsonNode b = g.get("blocks");
        long[][] ids = new long[b.size()][];
        for (int i = 0; i < b.size(); i++) {
            ids[i] = new long[b.get(i).size()];
            for (int j = 0; j < ids[i].length; j++) {
                ids[i][j] = b.get(i).get(j).asLong();
            }
        }
        return new TokenBlocks(ids);
    }

    private static Path model(Path dir) throws IOException {
        Path out = dir.resolve("tiny-seed7");
        Gpt2Factory.writeCheckpoint(ModelPreset.TINY, 7L, out, Path.of("data/gpt2-tokenizer").toAbsolutePath(), false);
        return out;
    }

    @Test
    void lossOfFixedCheckpointMatchesTransformers(@TempDir Path tmp) throws IOException {
        JsonNode g = golden();
        TokenBlocks blocks = blocks(g);
        try (NDManager m = NDManager.newBaseManager()) {
            Gpt2LmHeadModel lm = Gpt2Checkpoints.loadLanguageModel(CheckpointDir.open(model(tmp)), m);
            double loss = CausalLmPretrainer.meanLoss(lm, new ParameterStore(m, false),
                    m.create(blocks.blocks()), false).getFloat();
            assertEquals(g.get("loss_initial").asDouble(), loss, 1e-5);
            assertEquals(g.get("loss_initial").asDouble(), CausalLmPretrainer.heldOutLoss(lm, blocks, m, 1), 1e-5,
                    "held-out loss batched one block at a time");
        }
    }

    /** Sampled softmax over the golden's candidate ids: loss and global gradient norm (tied wte gets both uses). */
    @Test
    void sampledSoftmaxLossAndGradientMatchTorch(@TempDir Path tmp) throws IOException {
        JsonNode g = golden().get("sampled_softmax");
        long[] candidates = new long[g.get("candidates").size()];
        for (int i = 0; i < candidates.length; i++) {
            candidates[i] = g.get("candidates").get(i).asLong();
        }
        long[][] rows = blocks(golden()).blocks();
        ai.djl.engine.Engine engine = ai.djl.engine.Engine.getInstance();
        try (NDManager m = NDManager.newBaseManager()) {
            Gpt2LmHeadModel lm = Gpt2Checkpoints.loadLanguageModel(CheckpointDir.open(model(tmp)), m);
            for (ai.djl.nn.Parameter p : lm.namedParameters().values()) {
                p.getArray().setRequiresGradient(true);
            }
            double loss;
            try (ai.djl.training.GradientCollector gc = engine.newGradientCollector()) {
                ai.djl.ndarray.NDArray l = SampledSoftmax.meanLoss(lm, new ParameterStore(m, false), m, rows,
                        candidates, false);
                loss = l.getFloat();
                gc.backward(l);
            }
            double sq = 0;
            for (ai.djl.nn.Parameter p : lm.namedParameters().values()) {
                for (float v : p.getArray().getGradient().toFloatArray()) {
                    sq += (double) v * v;
                }
            }
            assertEquals(g.get("loss").asDouble(), loss, 1e-5, "sampled-softmax loss");
            assertEquals(g.get("grad_norm").asDouble(), Math.sqrt(sq), 1e-4, "gradient norm");
        }
    }

    @Test
    void threeTrainingStepsMatchTorch(@TempDir Path tmp) throws IOException {
        JsonNode g = golden();
        JsonNode t = g.get("training");
        TokenBlocks blocks = blocks(g);
        TrainingArgs args = TrainingArgs.fromMap(Map.of("learning_rate", t.get("learning_rate").asDouble(),
                "weight_decay", t.get("weight_decay").asDouble(), "max_grad_norm", t.get("max_grad_norm").asDouble(),
                "lr_scheduler_type", "constant", "dropout", 0.0, "max_steps", 3, "logging_steps", 1,
                "per_device_train_batch_size", blocks.size(), "max_length", g.get("block_size").asInt()));
        PretrainResult r = new CausalLmPretrainer(args, System.err, false)
                .run(model(tmp), tmp.resolve("out"), false, blocks, blocks, "golden");
        JsonNode history = new ObjectMapper().readTree(tmp.resolve("out/training_state.json").toFile())
                .get("log_history");
        for (int s = 0; s < 3; s++) {
            JsonNode want = t.get("steps").get(s);
            JsonNode got = history.get(s);
            assertEquals(s + 1, got.get("step").asInt());
            assertEquals(want.get("loss").asDouble(), got.get("loss").asDouble(), 2e-4, "loss at step " + (s + 1));
            assertEquals(want.get("grad_norm").asDouble(), got.get("grad_norm").asDouble(), 2e-4,
                    "grad norm at step " + (s + 1));
        }
        assertEquals(g.get("loss_after_training").asDouble(), r.heldOutLoss(), 2e-4, "loss after 3 steps");
        assertEquals(Math.exp(r.heldOutLoss()), r.perplexity(), 1e-9);
    }
}
