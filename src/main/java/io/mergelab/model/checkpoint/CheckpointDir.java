package io.mergelab.model.checkpoint;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Read-only view of a Hugging Face GPT-2 checkpoint directory (config.json plus safetensors,
 * single or sharded). Headers are parsed once in {@link #open}; tensor data is read on demand,
 * opening the shard for each read, so nothing needs closing. Thread-safe.
 */
public final class CheckpointDir {
    /** Tokenizer files transformers' save_pretrained writes for GPT-2, in copy order. */
    public static final List<String> TOKENIZER_FILES = List.of("tokenizer.json", "vocab.json", "merges.txt",
            "tokenizer_config.json", "special_tokens_map.json", "added_tokens.json");
    public static final String GENERATION_CONFIG = "generation_config.json";

    private static final String CONVERT_HINT = "only safetensors checkpoints are supported; convert with: python -c "
            + "\"from transformers import AutoModel; AutoModel.from_pretrained('%1$s').save_pretrained('%1$s', "
            + "safe_serialization=True)\" (use the matching AutoModelFor... class to keep a head)";

    private final Path dir;
    private final Gpt2Config config;
    private final List<Path> weightFiles;
    private final Optional<ShardedIndex> index;
    private final List<TensorInfo> tensors;
    private final Map<String, TensorInfo> byCanonical;

    private CheckpointDir(Path dir, Gpt2Config config, List<Path> weightFiles, Optional<ShardedIndex> index,
            List<TensorInfo> tensors) {
        this.dir = dir;
        this.config = config;
        this.weightFiles = List.copyOf(weightFiles);
        this.index = index;
        this.tensors = List.copyOf(tensors);
        Map<String, TensorInfo> m = new HashMap<>();
        for (TensorInfo t : tensors) {
            TensorInfo prev = m.put(Gpt2TensorNames.canonical(t.name()), t);
            if (prev != null) {
                throw new CheckpointFormatException(t.file(), t.name(), "stored both as '" + prev.name() + "' and '"
                        + t.name() + "'; cannot tell which to use");
            }
        }
        this.byCanonical = Map.copyOf(m);
    }

    public static CheckpointDir open(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new CheckpointFormatException(dir, "not a checkpoint directory (does not exist or is a file)");
        }
        Path cfg = dir.resolve(Gpt2Config.FILE_NAME);
        if (!Files.isRegularFile(cfg)) {
            throw new CheckpointFormatException(cfg, "missing; a Hugging Face checkpoint needs config.json");
        }
        Gpt2Config config = Gpt2Config.read(cfg);
        // Same precedence as transformers: a single file wins over an index.
        Path single = dir.resolve(ShardedWriter.SINGLE_FILE);
        Path indexFile = dir.resolve(ShardedIndex.FILE_NAME);
        if (Files.isRegularFile(single)) {
            return new CheckpointDir(dir, config, List.of(single), Optional.empty(),
                    SafetensorsFile.readTensorInfos(single));
        }
        if (Files.isRegularFile(indexFile)) {
            return openSharded(dir, config, indexFile);
        }
        if (Files.exists(dir.resolve("pytorch_model.bin")) || Files.exists(dir.resolve("pytorch_model.bin.index.json"))) {
            throw new CheckpointFormatException(dir.resolve("pytorch_model.bin"), String.format(CONVERT_HINT, dir));
        }
        throw new CheckpointFormatException(dir, "has neither " + ShardedWriter.SINGLE_FILE + " nor "
                + ShardedIndex.FILE_NAME);
    }

    private static CheckpointDir openSharded(Path dir, Gpt2Config config, Path indexFile) {
        ShardedIndex index = ShardedIndex.read(indexFile);
        List<Path> files = new ArrayList<>();
        List<TensorInfo> all = new ArrayList<>();
        Map<String, String> seenIn = new HashMap<>();
        for (String shard : index.shardFiles()) {
            Path f = dir.resolve(shard);
            if (!Files.isRegularFile(f)) {
                throw new CheckpointFormatException(indexFile, "shard '" + shard + "' listed in weight_map is missing");
            }
            files.add(f);
            for (TensorInfo t : SafetensorsFile.readTensorInfos(f)) {
                String prev = seenIn.put(t.name(), shard);
                if (prev != null) {
                    throw new CheckpointFormatException(f, t.name(), "also stored in shard '" + prev + "'");
                }
                all.add(t);
            }
        }
        for (Map.Entry<String, String> e : index.weightMap().entrySet()) {
            if (!e.getValue().equals(seenIn.get(e.getKey()))) {
                throw new CheckpointFormatException(indexFile, e.getKey(), "weight_map says shard '" + e.getValue()
                        + "' but " + (seenIn.containsKey(e.getKey()) ? "it is in '" + seenIn.get(e.getKey()) + "'"
                        : "no shard holds it"));
            }
        }
        return new CheckpointDir(dir, config, files, Optional.of(index), all);
    }

    public Path path() {
        return dir;
    }

    public Gpt2Config config() {
        return config;
    }

    public boolean isSharded() {
        return index.isPresent();
    }

    public Optional<ShardedIndex> index() {
        return index;
    }

    /** model.safetensors, or the shards in name order. */
    public List<Path> weightFiles() {
        return weightFiles;
    }

    /** Every tensor under its stored name (buffers included), shard by shard in offset order. */
    public List<TensorInfo> tensors() {
        return tensors;
    }

    /** {@link #tensors()} without the attention-mask buffers of old checkpoints. */
    public List<TensorInfo> weightTensors() {
        return tensors.stream().filter(t -> !Gpt2TensorNames.isBuffer(t.name())).toList();
    }

    /** Finds {@code wte.weight} whether it is stored as {@code wte.weight} or {@code transformer.wte.weight}. */
    public Optional<TensorInfo> tensorByCanonicalName(String canonical) {
        return Optional.ofNullable(byCanonical.get(Gpt2TensorNames.canonical(canonical)));
    }

    public float[] readFloat32(TensorInfo t) {
        try (FileChannel ch = FileChannel.open(t.file(), StandardOpenOption.READ)) {
            return ChannelIo.readFloat32(ch, t);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read tensor '" + t.name() + "' from " + t.file(), e);
        }
    }

    /** Reads a tensor under its canonical name. */
    public FloatTensor readCanonical(String canonical) {
        TensorInfo t = tensorByCanonicalName(canonical).orElseThrow(() -> new CheckpointFormatException(dir,
                canonical, "no such tensor in this checkpoint"));
        return new FloatTensor(Gpt2TensorNames.canonical(t.name()), t.shape(), readFloat32(t));
    }

    /** The tokenizer files present, in {@link #TOKENIZER_FILES} order. */
    public List<Path> tokenizerFiles() {
        List<Path> out = new ArrayList<>();
        for (String n : TOKENIZER_FILES) {
            Path p = dir.resolve(n);
            if (Files.isRegularFile(p)) {
                out.add(p);
            }
        }
        return out;
    }

    public Optional<Path> tokenizerJson() {
        return present("tokenizer.json");
    }

    public Optional<Path> generationConfig() {
        return present(GENERATION_CONFIG);
    }

    /**
     * Checks every backbone tensor and any lm_head/score head against the config. All problems are
     * reported in one exception naming file, tensor, expected and actual shape.
     */
    public void validateGpt2Shapes() {
        List<Problem> problems = new ArrayList<>();
        Map<String, long[]> expected = new LinkedHashMap<>(Gpt2TensorNames.expectedShapes(config));
        expected.putAll(Gpt2TensorNames.expectedHeadShapes(config));
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            String want = Arrays.toString(e.getValue());
            Optional<TensorInfo> found = tensorByCanonicalName(e.getKey());
            if (found.isEmpty()) {
                if (Gpt2TensorNames.isBackbone(e.getKey())) {
                    problems.add(new Problem(dir, e.getKey(), "missing (expected shape " + want + ")"));
                }
                continue;
            }
            TensorInfo t = found.get();
            if (!Arrays.equals(t.shape(), e.getValue())) {
                problems.add(new Problem(t.file(), t.name(), "has shape " + t.shapeString() + " but config.json ("
                        + config.primaryArchitecture() + ") expects " + want));
            } else if (!t.dtype().isFloating()) {
                problems.add(new Problem(t.file(), t.name(), "has non-float dtype " + t.dtype()));
            }
        }
        for (TensorInfo t : tensors) {
            int layer = Gpt2TensorNames.layerIndex(t.name()).orElse(-1);
            if (layer >= config.nLayer()) {
                problems.add(new Problem(t.file(), t.name(), "belongs to layer " + layer + " but n_layer is "
                        + config.nLayer()));
            }
        }
        if (problems.size() == 1) {
            Problem p = problems.get(0);
            throw new CheckpointFormatException(p.file, p.tensor, p.message);
        }
        if (!problems.isEmpty()) {
            int shown = Math.min(problems.size(), 20);
            List<String> lines = new ArrayList<>();
            for (Problem p : problems.subList(0, shown)) {
                lines.add(p.file + ": tensor '" + p.tensor + "' " + p.message);
            }
            String more = problems.size() > shown ? "; and " + (problems.size() - shown) + " more" : "";
            throw new CheckpointFormatException(dir, problems.size() + " tensors do not match config.json: "
                    + String.join("; ", lines) + more);
        }
    }

    private record Problem(Path file, String tensor, String message) {
    }

    private Optional<Path> present(String name) {
        Path p = dir.resolve(name);
        return Files.isRegularFile(p) ? Optional.of(p) : Optional.empty();
    }

    @Override
    public String toString() {
        return "CheckpointDir[" + dir + ", " + tensors.size() + " tensors in " + weightFiles.size() + " file(s)]";
    }

    /** Unmodifiable list helper for callers wanting names only. */
    public List<String> tensorNames() {
        List<String> names = new ArrayList<>();
        tensors.forEach(t -> names.add(t.name()));
        return Collections.unmodifiableList(names);
    }
}
