package io.mergelab.model.gpt2;

import io.mergelab.model.checkpoint.CheckpointDir;
import io.mergelab.model.checkpoint.FloatTensor;
import io.mergelab.model.checkpoint.Gpt2Config;
import io.mergelab.model.checkpoint.TensorInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Gpt2FactoryTest {

    @Test
    void sameSeedGivesByteIdenticalCheckpoints(@TempDir Path tmp) throws Exception {
        Gpt2Factory.writeCheckpoint(ModelPreset.TINY, 7, tmp.resolve("a"), TestModels.tokenizerDir(), false);
        Gpt2Factory.writeCheckpoint(ModelPreset.TINY, 7, tmp.resolve("b"), TestModels.tokenizerDir(), false);
        Gpt2Factory.writeCheckpoint(ModelPreset.TINY, 8, tmp.resolve("c"), TestModels.tokenizerDir(), false);
        byte[] a = Files.readAllBytes(tmp.resolve("a/model.safetensors"));
        assertArrayEquals(a, Files.readAllBytes(tmp.resolve("b/model.safetensors")));
        assertFalse(java.util.Arrays.equals(a, Files.readAllBytes(tmp.resolve("c/model.safetensors"))));
    }

    @Test
    void writesAHuggingFaceGpt2LmDirectoryWithTokenizer(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("tiny");
        Gpt2Factory.writeCheckpoint(ModelPreset.TINY, 1, out, TestModels.tokenizerDir(), false);
        for (String f : List.of("config.json", "model.safetensors", "tokenizer.json", "vocab.json", "merges.txt")) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f);
        }
        CheckpointDir dir = CheckpointDir.open(out);
        Gpt2Config c = dir.config();
        assertEquals(List.of("GPT2LMHeadModel"), c.architectures());
        assertEquals(2, c.nLayer());
        assertEquals(128, c.nEmbd());
        assertEquals(50257, c.vocabSize());
        Map<String, TensorInfo> byName = dir.tensors().stream().collect(Collectors.toMap(TensorInfo::name, t -> t));
        assertArrayEquals(new long[] {128, 384}, byName.get("transformer.h.0.attn.c_attn.weight").shape());
        assertArrayEquals(new long[] {50257, 128}, byName.get("transformer.wte.weight").shape());
        dir.validateGpt2Shapes();
    }

    @Test
    void initialisesLikeTransformers() {
        Gpt2Config config = Gpt2Factory.config(ModelPreset.SMALL);
        Map<String, FloatTensor> w = Gpt2Factory.weights(config, 3).stream()
                .collect(Collectors.toMap(FloatTensor::name, t -> t));
        assertEquals(0.02, std(w.get("transformer.wte.weight").data()), 0.0005);
        assertEquals(0.02, std(w.get("transformer.h.1.mlp.c_fc.weight").data()), 0.0005);
        // residual projections are scaled by 1/sqrt(2 * n_layer) = 1/sqrt(8)
        assertEquals(0.02 / Math.sqrt(8), std(w.get("transformer.h.1.attn.c_proj.weight").data()), 0.0003);
        assertEquals(0.0, mean(w.get("transformer.h.1.mlp.c_fc.weight").data()), 0.0005);
        for (float v : w.get("transformer.h.0.ln_1.weight").data()) {
            assertEquals(1f, v);
        }
        for (float v : w.get("transformer.h.0.attn.c_attn.bias").data()) {
            assertEquals(0f, v);
        }
    }

    private static double mean(float[] x) {
        double s = 0;
        for (float v : x) {
            s += v;
        }
        return s / x.length;
    }

    private static double std(float[] x) {
        double m = mean(x);
        double s = 0;
        for (float v : x) {
            s += (v - m) * (v - m);
        }
        return Math.sqrt(s / x.length);
    }
}
