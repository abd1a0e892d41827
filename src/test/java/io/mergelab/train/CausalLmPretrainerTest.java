package io.mergelab.train;

import io.mergelab.model.gpt2.Gpt2Factory;
import io.mergelab.model.gpt2.ModelPreset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class CausalLmPretrainerTest {
    @Test
    void heldOutPerplexityIsMeasuredOnAtMostTheCappedNumberOfBlocks(@TempDir Path tmp) throws IOException {
        Path model = tmp.resolve("tiny");
        Gpt2Factory.writeCheckpoint(ModelPreset.TINY, 3L, model, Path.of("data/gpt2-tokenizer").toAbsolutePath(), false);
        List<String> docs = new ArrayList<>();
        for (int i = 0; i < 8000; i++) {
            docs.add("review number " + i + " was fine");
        }
        int blockSize = 4;
        TrainingArgs args = CausalLmPretrainer.arguments(Map.of("max_steps", 1, "max_length", blockSize,
                "per_device_eval_batch_size", 256));
        PretrainResult r = new CausalLmPretrainer(args, System.err, false)
                .run(new PretrainJob(model, docs, 0.05, tmp.resolve("out"), false));
        // 400 held-out documents of ~6 tokens + end-of-text pack into ~700 blocks of 4 tokens: more than the cap
        assertEquals((long) CausalLmPretrainer.MAX_HELD_OUT_BLOCKS * blockSize, r.heldOutTokens());
        assertEquals(1, r.steps());
    }
}
