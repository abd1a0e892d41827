package io.mergelab.model.checkpoint;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Writes weights into a directory the way transformers does: one {@code model.safetensors} when
 * everything fits in one shard, else {@code model-00001-of-0000N.safetensors} files plus
 * {@code model.safetensors.index.json}. Each file is written atomically, the set is not: use
 * {@link CheckpointWriter} for an all-or-nothing directory.
 */
public final class ShardedWriter {
    public static final String SINGLE_FILE = "model.safetensors";
    private static final Pattern SHARD = Pattern.compile("model-\\d{5}-of-\\d{5}\\.safetensors");

    private ShardedWriter() {
    }

    /** transformers' naming, 1-based: {@code model-00001-of-00003.safetensors}. */
    public static String shardName(int index1, int count) {
        return String.format("model-%05d-of-%05d.safetensors", index1, count);
    }

    /**
     * Greedy split in the given order, like transformers: a new shard starts when the next tensor
     * would push the current one past {@code maxShardBytes}; a bigger tensor gets a shard of its own.
     */
    public static List<List<TensorSpec>> plan(List<TensorSpec> specs, long maxShardBytes) {
        if (maxShardBytes <= 0) {
            throw new IllegalArgumentException("maxShardBytes must be positive: " + maxShardBytes);
        }
        List<List<TensorSpec>> shards = new ArrayList<>();
        List<TensorSpec> cur = new ArrayList<>();
        long curBytes = 0;
        for (TensorSpec s : specs) {
            if (!cur.isEmpty() && curBytes + s.byteLength() > maxShardBytes) {
                shards.add(cur);
                cur = new ArrayList<>();
                curBytes = 0;
            }
            cur.add(s);
            curBytes += s.byteLength();
        }
        if (!cur.isEmpty() || shards.isEmpty()) {
            shards.add(cur);
        }
        return shards;
    }

    /** Writes all tensors as {@code dtype}; returns the files written (shards, then the index if any). */
    public static List<Path> write(Path dir, List<FloatTensor> tensors, DType dtype, long maxShardBytes,
            Map<String, String> metadata) throws IOException {
        SafetensorsWriter.requireWritable(dtype);
        List<TensorSpec> specs = new ArrayList<>();
        for (FloatTensor t : tensors) {
            specs.add(t.spec(dtype));
        }
        try (Streaming s = open(dir, specs, maxShardBytes, metadata)) {
            for (FloatTensor t : tensors) {
                s.put(t);
            }
            return s.commit();
        }
    }

    public static Streaming open(Path dir, List<TensorSpec> specs, long maxShardBytes, Map<String, String> metadata)
            throws IOException {
        Set<String> names = new HashSet<>();
        for (TensorSpec s : specs) {
            if (!names.add(s.name())) {
                throw new IllegalArgumentException("duplicate tensor name '" + s.name() + "'");
            }
        }
        Files.createDirectories(dir);
        return new Streaming(dir, plan(specs, maxShardBytes), metadata == null ? Map.of() : Map.copyOf(metadata));
    }

    /** Tensors arrive one at a time in spec order; only one shard file is open at a time. */
    public static final class Streaming implements AutoCloseable {
        private final Path dir;
        private final List<List<TensorSpec>> shards;
        private final Map<String, String> metadata;
        private final List<Path> written = new ArrayList<>();
        private final Map<String, String> sha256 = new LinkedHashMap<>();
        private int shard = -1;
        private int inShard;
        private SafetensorsWriter.Streaming current;
        private boolean committed;

        private Streaming(Path dir, List<List<TensorSpec>> shards, Map<String, String> metadata) {
            this.dir = dir;
            this.shards = shards;
            this.metadata = metadata;
        }

        public int shardCount() {
            return shards.size();
        }

        public Path fileOf(int shardIndex) {
            return dir.resolve(shards.size() == 1 ? SINGLE_FILE : shardName(shardIndex + 1, shards.size()));
        }

        public void put(FloatTensor t) throws IOException {
            if (committed) {
                throw new IllegalStateException("already committed");
            }
            while (current == null || inShard == shards.get(shard).size()) {
                if (current != null) {
                    finishShard();
                }
                if (shard + 1 >= shards.size()) {
                    throw new IllegalStateException("unexpected tensor '" + t.name() + "': all tensors written");
                }
                shard++;
                inShard = 0;
                current = SafetensorsWriter.Streaming.open(fileOf(shard), shards.get(shard), metadata);
            }
            current.put(t);
            inShard++;
        }

        /** Finishes the last shard, writes the index when sharded and removes stale weight files. */
        public List<Path> commit() throws IOException {
            if (committed) {
                throw new IllegalStateException("already committed");
            }
            // Shards with no tensors left (only possible for an empty spec list) still get a file.
            while (shard < shards.size() - 1 || current != null) {
                if (current == null) {
                    shard++;
                    inShard = 0;
                    current = SafetensorsWriter.Streaming.open(fileOf(shard), shards.get(shard), metadata);
                }
                finishShard();
            }
            if (shards.size() > 1) {
                Map<String, String> weightMap = new LinkedHashMap<>();
                long total = 0;
                for (int i = 0; i < shards.size(); i++) {
                    for (TensorSpec s : shards.get(i)) {
                        weightMap.put(s.name(), fileOf(i).getFileName().toString());
                        total += s.byteLength();
                    }
                }
                Path index = dir.resolve(ShardedIndex.FILE_NAME);
                new ShardedIndex(total, weightMap).write(index);
                written.add(index);
            }
            removeStale();
            committed = true;
            return List.copyOf(written);
        }

        /** sha256 of each weight file written so far (not the index), by file name. */
        public Map<String, String> sha256ByFileName() {
            return Map.copyOf(sha256);
        }

        private void finishShard() throws IOException {
            current.commit();
            written.add(fileOf(shard));
            sha256.put(fileOf(shard).getFileName().toString(), current.sha256());
            current.close();
            current = null;
        }

        // A leftover index or shard from an earlier save would make loaders pick the wrong weights.
        private void removeStale() throws IOException {
            Set<Path> keep = new HashSet<>(written);
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
                for (Path p : ds) {
                    String n = p.getFileName().toString();
                    boolean weights = n.equals(SINGLE_FILE) || n.equals(ShardedIndex.FILE_NAME)
                            || SHARD.matcher(n).matches();
                    if (weights && !keep.contains(p)) {
                        Files.deleteIfExists(p);
                    }
                }
            }
        }

        /** Without commit: deletes the open temp file. Shards already finished stay. */
        @Override
        public void close() throws IOException {
            if (current != null) {
                current.close();
                current = null;
            }
        }
    }
}
