package io.mergelab.model.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointDirTest {
    @TempDir
    Path dir;

    @Test
    void opensFakeGpt2() {
        CheckpointDir cd = CheckpointDir.open(FakeGpt2.dir());
        assertFalse(cd.isSharded());
        assertEquals(16, cd.tensors().size());
        TensorInfo attn = cd.tensors().stream().filter(t -> t.name().equals("transformer.h.0.attn.c_attn.weight"))
                .findFirst().orElseThrow();
        assertEquals("[2, 6]", attn.shapeString());
        assertEquals(DType.F32, attn.dtype());
        assertEquals(attn, cd.tensorByCanonicalName("h.0.attn.c_attn.weight").orElseThrow());
        assertEquals(attn, cd.tensorByCanonicalName("transformer.h.0.attn.c_attn.weight").orElseThrow());
        // the LM head is tied to wte, so transformers does not store it
        assertTrue(cd.tensorByCanonicalName("lm_head.weight").isEmpty());
        assertEquals(12, cd.readFloat32(attn).length);
        assertEquals(50257 * 2, cd.readFloat32(cd.tensorByCanonicalName("wte.weight").orElseThrow()).length);
        cd.validateGpt2Shapes();
        assertEquals(List.of("tokenizer.json", "vocab.json", "merges.txt", "tokenizer_config.json",
                "special_tokens_map.json"), cd.tokenizerFiles().stream().map(p -> p.getFileName().toString()).toList());
        assertTrue(cd.tokenizerJson().isPresent());
        assertTrue(cd.generationConfig().isPresent());
    }

    private void writeDir(Gpt2Config c, List<FloatTensor> tensors) throws IOException {
        c.write(dir.resolve("config.json"));
        SafetensorsWriter.write(dir.resolve("model.safetensors"), tensors, DType.F32, Map.of("format", "pt"));
    }

    @Test
    void shapeMismatchNamesTensorAndBothShapes() throws IOException {
        Gpt2Config c = TinyGpt2.config();
        List<FloatTensor> t = new ArrayList<>(TinyGpt2.tensors(c, Map.of()));
        t.replaceAll(x -> x.name().equals("h.1.attn.c_attn.weight") ? TinyGpt2.filled(x.name(), new long[] {12, 4}, 0)
                : x);
        writeDir(c, t);
        CheckpointDir cd = CheckpointDir.open(dir);
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class, cd::validateGpt2Shapes);
        String m = e.getMessage();
        assertTrue(m.contains(dir.resolve("model.safetensors").toString()), m);
        assertTrue(m.contains("tensor 'h.1.attn.c_attn.weight'") && m.contains("[12, 4]") && m.contains("[4, 12]"), m);
    }

    @Test
    void headShapesAndMissingTensorsAreChecked() throws IOException {
        Gpt2Config c = TinyGpt2.config().withClassification(List.of("a", "b", "c"), 0);
        List<FloatTensor> t = new ArrayList<>(TinyGpt2.tensors(c, Map.of("score.weight", new long[] {2, 4})));
        t.removeIf(x -> x.name().equals("ln_f.bias"));
        writeDir(c, t);
        String m = assertThrows(CheckpointFormatException.class, () -> CheckpointDir.open(dir).validateGpt2Shapes())
                .getMessage();
        assertTrue(m.contains("'ln_f.bias'") && m.contains("missing"), m);
        assertTrue(m.contains("'score.weight'") && m.contains("[2, 4]") && m.contains("[3, 4]"), m);
    }

    @Test
    void extraLayersAreReported() throws IOException {
        Gpt2Config c = TinyGpt2.config();
        List<FloatTensor> t = new ArrayList<>(TinyGpt2.tensors(c, Map.of()));
        t.add(TinyGpt2.filled("h.2.ln_1.weight", new long[] {4}, 0));
        writeDir(c, t);
        String m = assertThrows(CheckpointFormatException.class, () -> CheckpointDir.open(dir).validateGpt2Shapes())
                .getMessage();
        assertTrue(m.contains("h.2.ln_1.weight") && m.contains("n_layer is 2"), m);
    }

    @Test
    void buffersAreRecognisedAndSkipped() throws IOException {
        Gpt2Config c = TinyGpt2.config();
        List<FloatTensor> t = new ArrayList<>(TinyGpt2.tensors(c, Map.of()));
        t.add(TinyGpt2.filled("h.0.attn.bias", new long[] {1, 1, 8, 8}, 0));
        t.add(TinyGpt2.filled("h.0.attn.masked_bias", new long[] {}, 0));
        writeDir(c, t);
        CheckpointDir cd = CheckpointDir.open(dir);
        cd.validateGpt2Shapes();
        assertEquals(t.size(), cd.tensors().size());
        assertEquals(t.size() - 2, cd.weightTensors().size());
    }

    @Test
    void missingConfigIsNamed() throws IOException {
        SafetensorsWriter.write(dir.resolve("model.safetensors"), List.of(), DType.F32, Map.of());
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> CheckpointDir.open(dir));
        assertTrue(e.getMessage().contains(dir.resolve("config.json").toString()), e.getMessage());
    }

    @Test
    void pytorchBinOnlyExplainsConversion() throws IOException {
        TinyGpt2.config().write(dir.resolve("config.json"));
        Files.write(dir.resolve("pytorch_model.bin"), new byte[16]);
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> CheckpointDir.open(dir));
        assertTrue(e.getMessage().contains("only safetensors") && e.getMessage().contains("safe_serialization=True")
                && e.getMessage().contains(dir.toString()), e.getMessage());
    }

    @Test
    void nonGpt2ConfigRejected() throws IOException {
        Files.writeString(dir.resolve("config.json"), "{\"model_type\":\"bert\",\"architectures\":[\"BertModel\"]}");
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> CheckpointDir.open(dir));
        assertTrue(e.getMessage().contains("config.json") && e.getMessage().contains("model_type"), e.getMessage());
    }

    @Test
    void corruptWeightsNameTheFile() throws IOException {
        TinyGpt2.config().write(dir.resolve("config.json"));
        Files.write(dir.resolve("model.safetensors"), new byte[4]);
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> CheckpointDir.open(dir));
        assertTrue(e.getMessage().startsWith(dir.resolve("model.safetensors").toString()), e.getMessage());
    }

    @Test
    void readsUnprefixedStorage() throws IOException {
        Gpt2Config c = TinyGpt2.config().withArchitecture("GPT2Model");
        List<FloatTensor> t = TinyGpt2.tensors(c, Map.of());
        writeDir(c, t);
        CheckpointDir cd = CheckpointDir.open(dir);
        TensorInfo wte = cd.tensorByCanonicalName("transformer.wte.weight").orElseThrow();
        assertEquals("wte.weight", wte.name());
        assertArrayEquals(t.get(0).data(), cd.readCanonical("wte.weight").data());
    }
}
