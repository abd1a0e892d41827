package io.mergelab.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mergelab.data.Example;
import io.mergelab.model.checkpoint.CheckpointDir;
import io.mergelab.model.gpt2.ModelPreset;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Real fine-tunes of the factory's tiny GPT-2 on the shipped Yelp sentences. */
class FineTunerTest {
    @TempDir
    Path tmp;

    @Test
    @Tag("slow")
    void oneEpochLearnsYelpSentiment() throws Exception {
        List<List<Example>> s = TrainFixtures.yelpSplits();
        Path model = TrainFixtures.model(ModelPreset.TINY, tmp);
        TrainingArgs args = TrainingArgs.fromMap(Map.of("learning_rate", 1e-3, "num_train_epochs", 1,
                "per_device_train_batch_size", 16, "warmup_ratio", 0.1, "weight_decay", 0.01, "logging_steps", 10,
                "eval_strategy", "epoch", "seed", 42));
        Path out = tmp.resolve("yelp");
        FineTuneResult r = new FineTuner(args, System.err, false)
                .run(new FineTuneJob(model, TrainFixtures.BINARY, s.get(0), s.get(1), s.get(2), out, false));

        List<Double> losses = new ArrayList<>();
        JsonNode state = new ObjectMapper().readTree(out.resolve(FineTuner.TRAINING_STATE).toFile());
        state.get("log_history").forEach(e -> {
            if (e.has("loss")) {
                losses.add(e.get("loss").asDouble());
            }
        });
        assertEquals(5, losses.size(), "50 steps logged every 10: " + losses);
        assertTrue(losses.get(4) < losses.get(0) - 0.1, "training loss should fall: " + losses);
        double majority = r.test().majorityRate();
        System.err.printf("yelp tiny 1 epoch: test accuracy %.3f (majority %.3f), %.1f s/epoch, %.0f tokens/s%n",
                r.test().accuracy(), majority, r.secondsPerEpoch(), r.tokensPerSecond());
        assertTrue(r.test().accuracy() > majority + 0.1,
                "test accuracy " + r.test().accuracy() + " should beat the majority rate " + majority);

        // the output is a loadable HF classifier with the label names, plus the two JSON files
        CheckpointDir dir = CheckpointDir.open(out);
        assertEquals(List.of("GPT2ForSequenceClassification"), dir.config().architectures());
        assertEquals(Map.of(0, "negative", 1, "positive"), dir.config().id2label());
        assertTrue(Files.isRegularFile(out.resolve("tokenizer.json")));
        JsonNode metrics = new ObjectMapper().readTree(out.resolve(FineTuner.METRICS).toFile());
        assertEquals(r.test().accuracy(), metrics.get("test").get("accuracy").asDouble());
        assertFalse(Files.exists(out.resolve("checkpoints")));

        IllegalArgumentException again = assertThrows(IllegalArgumentException.class, () -> new FineTuner(args,
                System.err, false).run(new FineTuneJob(model, TrainFixtures.BINARY, s.get(0), s.get(1), s.get(2), out,
                false)));
        assertTrue(again.getMessage().contains("finished fine-tune"), again.getMessage());
    }

    @Test
    void sameSeedGivesBitIdenticalWeightsAndOtherSeedDoesNot() throws Exception {
        Path model = TrainFixtures.model(ModelPreset.TINY, tmp);
        byte[] a = shortRun(model, "a", 42);
        byte[] b = shortRun(model, "b", 42);
        byte[] c = shortRun(model, "c", 43);
        assertArrayEquals(a, b, "same seed must give identical weights");
        assertFalse(java.util.Arrays.equals(a, c), "another seed must change the weights");
    }

    @Test
    void frozenBackboneTrainsOnlyTheHead() throws Exception {
        Path model = TrainFixtures.model(ModelPreset.TINY, tmp);
        List<List<Example>> s = TrainFixtures.yelpSplits();
        TrainingArgs args = TrainingArgs.fromMap(Map.of("learning_rate", 1e-2, "max_steps", 3,
                "per_device_train_batch_size", 8, "freeze", "backbone", "save_strategy", "no"));
        Path out = tmp.resolve("probe");
        new FineTuner(args, System.err, false).run(new FineTuneJob(model, TrainFixtures.BINARY,
                s.get(0).subList(0, 24), List.of(), List.of(), out, false));
        CheckpointDir before = CheckpointDir.open(model);
        CheckpointDir after = CheckpointDir.open(out);
        assertArrayEquals(before.readCanonical("h.1.mlp.c_fc.weight").data(),
                after.readCanonical("h.1.mlp.c_fc.weight").data(), "backbone must not change");
        assertArrayEquals(before.readCanonical("wte.weight").data(), after.readCanonical("wte.weight").data());
        assertTrue(after.tensorByCanonicalName("score.weight").isPresent());
    }

    private byte[] shortRun(Path model, String name, long seed) throws Exception {
        List<List<Example>> s = TrainFixtures.yelpSplits();
        TrainingArgs args = TrainingArgs.fromMap(Map.of("learning_rate", 1e-3, "max_steps", 4,
                "per_device_train_batch_size", 8, "seed", seed, "save_strategy", "no", "max_length", 32));
        Path out = tmp.resolve(name);
        new FineTuner(args, System.err, false).run(new FineTuneJob(model, TrainFixtures.BINARY,
                s.get(0).subList(0, 64), List.of(), List.of(), out, false));
        return Files.readAllBytes(out.resolve("model.safetensors"));
    }
}
