package io.mergelab.model.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointWriterTest {
    @TempDir
    Path root;

    private List<String> rootEntries() throws IOException {
        try (Stream<Path> s = Files.list(root)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void writesLoadableShardedClassifier() throws IOException {
        Path tok = Files.createDirectory(root.resolve("tok"));
        Files.writeString(tok.resolve("tokenizer.json"), "{}");
        Files.writeString(tok.resolve("vocab.json"), "{}");
        Files.writeString(tok.resolve("generation_config.json"), "{}");
        Gpt2Config c = TinyGpt2.config().withClassification(List.of("neg", "pos"), 50256);
        List<FloatTensor> t = TinyGpt2.tensors(c, Map.of("score.weight", new long[] {2, 4}));
        Path out = root.resolve("ckpt");
        CheckpointWriter.write(out, c, t, DType.F32, 300, tok, false);

        assertEquals(List.of("ckpt", "tok"), rootEntries()); // no temp dir left
        CheckpointDir cd = CheckpointDir.open(out);
        assertTrue(cd.isSharded());
        assertEquals(c, cd.config());
        assertEquals(List.of("tokenizer.json", "vocab.json"),
                cd.tokenizerFiles().stream().map(p -> p.getFileName().toString()).toList());
        assertTrue(cd.generationConfig().isEmpty()); // classifiers do not generate
        assertEquals("transformer.h.0.ln_1.weight", cd.tensorByCanonicalName("h.0.ln_1.weight").orElseThrow().name());
        assertEquals("score.weight", cd.tensorByCanonicalName("score.weight").orElseThrow().name());
        for (FloatTensor x : t) {
            assertArrayEquals(x.data(), cd.readFloat32(cd.tensorByCanonicalName(x.name()).orElseThrow()));
        }
        try (SafetensorsFile f = SafetensorsFile.open(cd.weightFiles().get(0))) {
            assertEquals(Map.of("format", "pt"), f.metadata());
        }
    }

    @Test
    void refusesNonEmptyTargetUnlessOverwrite() throws IOException {
        Gpt2Config c = TinyGpt2.config();
        Path out = root.resolve("ckpt");
        CheckpointWriter.write(out, c, TinyGpt2.tensors(c, Map.of()), null, false);
        assertThrows(FileAlreadyExistsException.class,
                () -> CheckpointWriter.write(out, c, TinyGpt2.tensors(c, Map.of()), null, false));

        List<FloatTensor> t2 = new ArrayList<>(TinyGpt2.tensors(c, Map.of()));
        t2.set(0, TinyGpt2.filled("wte.weight", new long[] {11, 4}, 99));
        CheckpointWriter.write(out, c, t2, DType.F16, CheckpointWriter.DEFAULT_MAX_SHARD_BYTES, null, true);
        assertEquals(List.of("ckpt"), rootEntries()); // old dir deleted
        CheckpointDir cd = CheckpointDir.open(out);
        TensorInfo wte = cd.tensorByCanonicalName("wte.weight").orElseThrow();
        assertEquals(DType.F16, wte.dtype());
        assertEquals(99f, cd.readFloat32(wte)[0]);
    }

    @Test
    void emptyExistingDirIsFine() throws IOException {
        Gpt2Config c = TinyGpt2.config();
        Path out = Files.createDirectory(root.resolve("ckpt"));
        CheckpointWriter.write(out, c, TinyGpt2.tensors(c, Map.of()), null, false);
        assertTrue(Files.exists(out.resolve("model.safetensors")));
    }

    @Test
    void inconsistentCheckpointIsNotPublished() throws IOException {
        Gpt2Config c = TinyGpt2.config();
        List<FloatTensor> t = new ArrayList<>(TinyGpt2.tensors(c, Map.of()));
        t.remove(t.size() - 1);
        Path out = root.resolve("ckpt");
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class,
                () -> CheckpointWriter.write(out, c, t, null, false));
        assertTrue(e.getMessage().contains("ln_f.bias"), e.getMessage());
        assertEquals(List.of(), rootEntries());
    }

    @Test
    void abandonedStreamingSessionLeavesNothing() throws IOException {
        Gpt2Config c = TinyGpt2.config();
        List<FloatTensor> t = TinyGpt2.tensors(c, Map.of());
        List<TensorSpec> specs = t.stream().map(x -> x.spec(DType.F32)).toList();
        Path out = root.resolve("ckpt");
        try (CheckpointWriter.Session s = CheckpointWriter.begin(out, c, specs, 100, null, false)) {
            s.put(t.get(0));
            s.put(t.get(1));
            assertThrows(IllegalArgumentException.class, () -> s.put(t.get(3)));
        }
        assertEquals(List.of(), rootEntries());
        assertFalse(Files.exists(out));
    }
}
