package io.mergelab.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mergelab.cli.Main;
import io.mergelab.model.gpt2.ModelPreset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code mergelab finetune} and {@code mergelab eval} on a shipped dataset spec, without an experiment file. */
class FinetuneCliTest {
    @TempDir
    Path tmp;

    @Test
    void finetuneThenEvalFromTheCommandLine() throws Exception {
        Path model = TrainFixtures.model(ModelPreset.TINY, tmp);
        Path out = tmp.resolve("ft");
        assertEquals(0, Main.execute("finetune", "--model", model.toString(), "--dataset", "configs/datasets/yelp.yaml",
                "--out", out.toString(), "--set", "max_steps=3", "--set", "per_device_train_batch_size=4",
                "--learning-rate", "1e-3", "--max-length", "24", "--no-progress", "--slice", "1/5"));
        assertTrue(Files.isRegularFile(out.resolve("metrics.json")));

        PrintStream saved = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        int rc;
        try {
            rc = Main.execute("eval", "--model", out.toString(), "--dataset", "configs/datasets/yelp.yaml",
                    "--split", "validation", "--max-length", "24", "--out", tmp.resolve("eval.json").toString());
        } finally {
            System.setOut(saved);
        }
        assertEquals(0, rc);
        JsonNode json = new ObjectMapper().readTree(tmp.resolve("eval.json").toFile());
        assertEquals("yelp", json.get("dataset").asText());
        assertEquals("validation", json.get("split").asText());
        assertEquals(json.get("num_examples").asInt(), json.get("per_class").get("negative").get("support").asInt()
                + json.get("per_class").get("positive").get("support").asInt());
        assertTrue(buf.toString(StandardCharsets.UTF_8).contains("\"accuracy\""));
    }

    @Test
    void unknownTrainingArgumentIsAUsageErrorWithAHint() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream saved = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int rc;
        try {
            rc = Main.execute("finetune", "--model", tmp.toString(), "--dataset", "configs/datasets/yelp.yaml",
                    "--out", tmp.resolve("x").toString(), "--set", "num_train_epoch=2");
        } finally {
            System.setErr(saved);
        }
        assertEquals(1, rc);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("did you mean 'num_train_epochs'"), err.toString());
    }

    /** A fine-tune that fails before it has saved anything leaves no empty --out folder behind. */
    @Test
    void aFailedFinetuneLeavesNoEmptyOutputFolder() throws Exception {
        Path model = TrainFixtures.model(ModelPreset.TINY, tmp);
        Path out = tmp.resolve("failed");
        // every row is training data in this spec, so evaluating each epoch has no validation split to use
        assertEquals(1, Main.execute("finetune", "--model", model.toString(), "--dataset",
                "benchmarks/finetune/yelp-all.yaml", "--out", out.toString(), "--set", "eval_strategy=epoch",
                "--max-steps", "2", "--no-progress"));
        assertFalse(Files.exists(out), "nothing was written, so no folder is left");
    }
}
