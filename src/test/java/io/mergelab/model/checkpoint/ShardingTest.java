package io.mergelab.model.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShardingTest {
    @TempDir
    Path dir;

    private static TensorSpec spec(String name, long n) {
        return new TensorSpec(name, new long[] {n}, DType.F32);
    }

    @Test
    void shardNamesFollowTransformers() {
        assertEquals("model-00001-of-00003.safetensors", ShardedWriter.shardName(1, 3));
        assertEquals("model-00012-of-00100.safetensors", ShardedWriter.shardName(12, 100));
    }

    @Test
    void greedyPlanLikeTransformers() {
        // 40, 40, 40, 100, 8 bytes with a 100-byte limit
        List<List<TensorSpec>> plan = ShardedWriter.plan(List.of(spec("a", 10), spec("b", 10), spec("c", 10),
                spec("big", 25), spec("d", 2)), 100);
        assertEquals(List.of(List.of("a", "b"), List.of("c"), List.of("big"), List.of("d")),
                plan.stream().map(s -> s.stream().map(TensorSpec::name).toList()).toList());
    }

    @Test
    void writesShardsWithIndexAndReadsThemBackViaCheckpointDir() throws IOException {
        Gpt2Config c = TinyGpt2.config();
        List<FloatTensor> tensors = TinyGpt2.tensors(c, Map.of());
        List<FloatTensor> prefixed = tensors.stream()
                .map(t -> t.withName(Gpt2TensorNames.hfName(t.name(), c.primaryArchitecture()))).toList();
        List<Path> written = ShardedWriter.write(dir, prefixed, DType.F32, 200, Map.of("format", "pt"));
        c.write(dir.resolve("config.json"));

        Path index = dir.resolve(ShardedIndex.FILE_NAME);
        assertTrue(written.contains(index));
        assertFalse(Files.exists(dir.resolve("model.safetensors")));
        ShardedIndex idx = ShardedIndex.read(index);
        int shards = idx.shardFiles().size();
        assertTrue(shards > 2, "expected several shards, got " + shards);
        assertEquals(ShardedWriter.shardName(1, shards), idx.shardFiles().get(0));
        long total = tensors.stream().mapToLong(t -> t.numel() * 4).sum();
        assertEquals(total, idx.totalSize());
        assertEquals(idx, ShardedIndex.read(index)); // stable

        CheckpointDir cd = CheckpointDir.open(dir);
        assertTrue(cd.isSharded());
        assertEquals(shards, cd.weightFiles().size());
        assertEquals(tensors.size(), cd.tensors().size());
        cd.validateGpt2Shapes();
        for (FloatTensor t : tensors) {
            TensorInfo info = cd.tensorByCanonicalName(t.name()).orElseThrow();
            assertEquals("transformer." + t.name(), info.name());
            assertEquals(idx.weightMap().get(info.name()), info.file().getFileName().toString());
            assertArrayEquals(t.data(), cd.readFloat32(info), t.name());
        }
    }

    @Test
    void singleFileWhenEverythingFitsAndStaleShardsAreRemoved() throws IOException {
        List<FloatTensor> t = List.of(new FloatTensor("a", new long[] {10}, new float[10]),
                new FloatTensor("b", new long[] {10}, new float[10]));
        ShardedWriter.write(dir, t, DType.F32, 50, Map.of());
        assertTrue(Files.exists(dir.resolve(ShardedIndex.FILE_NAME)));
        List<Path> written = ShardedWriter.write(dir, t, DType.F32, 1000, Map.of());
        assertEquals(List.of(dir.resolve("model.safetensors")), written);
        assertFalse(Files.exists(dir.resolve(ShardedIndex.FILE_NAME)));
        assertFalse(Files.exists(dir.resolve(ShardedWriter.shardName(1, 2))));
    }

    @Test
    void indexErrorsNameTheFile() throws IOException {
        Path index = dir.resolve(ShardedIndex.FILE_NAME);
        Files.writeString(index, "{\"metadata\":{},\"weight_map\":{\"a\":\"../evil.safetensors\"}}");
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> ShardedIndex.read(index));
        assertTrue(e.getMessage().contains(index.toString()) && e.getMessage().contains("weight_map.a"),
                e.getMessage());
        Files.writeString(index, "{\"metadata\":{}}");
        e = assertThrows(CheckpointFormatException.class, () -> ShardedIndex.read(index));
        assertTrue(e.getMessage().contains("weight_map"), e.getMessage());
    }

    @Test
    void missingShardOrMisplacedTensorIsReported() throws IOException {
        Gpt2Config c = TinyGpt2.config();
        c.write(dir.resolve("config.json"));
        SafetensorsWriter.write(dir.resolve("model-00001-of-00002.safetensors"),
                List.of(new FloatTensor("a", new long[] {1}, new float[1])), DType.F32, Map.of());
        new ShardedIndex(4, Map.of("a", "model-00001-of-00002.safetensors", "b", "model-00002-of-00002.safetensors"))
                .write(dir.resolve(ShardedIndex.FILE_NAME));
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> CheckpointDir.open(dir));
        assertTrue(e.getMessage().contains("model-00002-of-00002.safetensors") && e.getMessage().contains("missing"),
                e.getMessage());

        new ShardedIndex(4, Map.of("a", "model-00001-of-00002.safetensors", "b", "model-00001-of-00002.safetensors"))
                .write(dir.resolve(ShardedIndex.FILE_NAME));
        e = assertThrows(CheckpointFormatException.class, () -> CheckpointDir.open(dir));
        assertTrue(e.getMessage().contains("tensor 'b'") && e.getMessage().contains("no shard holds it"),
                e.getMessage());
    }
}
