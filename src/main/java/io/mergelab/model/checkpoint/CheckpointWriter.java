package io.mergelab.model.checkpoint;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes a complete Hugging Face checkpoint directory (config.json, safetensors weights, tokenizer
 * files) all-or-nothing: everything goes into a sibling {@code <out>.tmp-<random>} directory, is
 * validated against the config, and is then renamed onto {@code <out>}.
 *
 * <p>Tensor names may be canonical or prefixed; they are stored as transformers expects for the
 * config's architecture ({@link Gpt2TensorNames#hfName}).
 */
public final class CheckpointWriter {
    /** transformers' default max_shard_size ("5GB"). */
    public static final long DEFAULT_MAX_SHARD_BYTES = 5_000_000_000L;
    /** transformers refuses safetensors without this metadata. */
    public static final Map<String, String> METADATA = Map.of("format", "pt");

    private CheckpointWriter() {
    }

    /** F32, default shard size. */
    public static Path write(Path outDir, Gpt2Config config, List<FloatTensor> tensors, Path tokenizerSourceDir,
            boolean overwrite) throws IOException {
        return write(outDir, config, tensors, DType.F32, DEFAULT_MAX_SHARD_BYTES, tokenizerSourceDir, overwrite);
    }

    /**
     * @param tokenizerSourceDir directory to copy tokenizer files from, or null for none
     * @param overwrite replace an existing non-empty {@code outDir}; otherwise that is an error
     * @return {@code outDir}
     */
    public static Path write(Path outDir, Gpt2Config config, List<FloatTensor> tensors, DType dtype,
            long maxShardBytes, Path tokenizerSourceDir, boolean overwrite) throws IOException {
        List<TensorSpec> specs = new ArrayList<>();
        for (FloatTensor t : tensors) {
            specs.add(t.spec(dtype));
        }
        try (Session s = begin(outDir, config, specs, maxShardBytes, tokenizerSourceDir, overwrite)) {
            for (FloatTensor t : tensors) {
                s.put(t);
            }
            return s.commit();
        }
    }

    /** Streaming variant: declare all tensors now, then {@link Session#put} them in order. */
    public static Session begin(Path outDir, Gpt2Config config, List<TensorSpec> specs, long maxShardBytes,
            Path tokenizerSourceDir, boolean overwrite) throws IOException {
        Path out = outDir.toAbsolutePath().normalize();
        checkTarget(out, overwrite); // fail before spending time on weights
        String arch = config.primaryArchitecture();
        List<TensorSpec> named = new ArrayList<>();
        for (TensorSpec s : specs) {
            named.add(s.withName(Gpt2TensorNames.hfName(s.name(), arch)));
        }
        Files.createDirectories(out.getParent());
        Path tmp = out.resolveSibling(out.getFileName() + ".tmp-" + AtomicFiles.randomSuffix());
        Files.createDirectory(tmp);
        try {
            ShardedWriter.Streaming weights = ShardedWriter.open(tmp, named, maxShardBytes, METADATA);
            return new Session(out, tmp, config, weights, tokenizerSourceDir, overwrite);
        } catch (IOException | RuntimeException e) {
            AtomicFiles.deleteQuietly(tmp, e);
            throw e;
        }
    }

    /** One checkpoint being written. Closing without {@link #commit()} deletes everything written. */
    public static final class Session implements AutoCloseable {
        private final Path out;
        private final Path tmp;
        private final Gpt2Config config;
        private final ShardedWriter.Streaming weights;
        private final Path tokenizerSourceDir;
        private final boolean overwrite;
        private boolean committed;

        private Session(Path out, Path tmp, Gpt2Config config, ShardedWriter.Streaming weights,
                Path tokenizerSourceDir, boolean overwrite) {
            this.out = out;
            this.tmp = tmp;
            this.config = config;
            this.weights = weights;
            this.tokenizerSourceDir = tokenizerSourceDir;
            this.overwrite = overwrite;
        }

        public void put(FloatTensor t) throws IOException {
            weights.put(t.withName(Gpt2TensorNames.hfName(t.name(), config.primaryArchitecture())));
        }

        /** sha256 of the weight files, hashed while they were written (after {@link #commit()}). */
        public Map<String, String> weightSha256() {
            return weights.sha256ByFileName();
        }

        /** Finishes the weights, writes config and tokenizer, validates, and renames into place. */
        public Path commit() throws IOException {
            if (committed) {
                throw new IllegalStateException(out + " already committed");
            }
            weights.commit();
            config.write(tmp.resolve(Gpt2Config.FILE_NAME));
            copyTokenizer();
            try {
                CheckpointDir.open(tmp).validateGpt2Shapes();
            } catch (CheckpointFormatException e) {
                throw new CheckpointFormatException(out, null, "refusing to write an inconsistent checkpoint: "
                        + e.getMessage(), e);
            }
            publish();
            committed = true;
            return out;
        }

        private void copyTokenizer() throws IOException {
            if (tokenizerSourceDir == null) {
                return;
            }
            List<String> names = new ArrayList<>(CheckpointDir.TOKENIZER_FILES);
            // generation_config only belongs with a model that generates
            if (config.primaryArchitecture().equals(Gpt2TensorNames.GPT2_LM_HEAD_MODEL)) {
                names.add(CheckpointDir.GENERATION_CONFIG);
            }
            for (String n : names) {
                Path src = tokenizerSourceDir.resolve(n);
                if (Files.isRegularFile(src)) {
                    Files.copy(src, tmp.resolve(n), StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }

        private void publish() throws IOException {
            checkTarget(out, overwrite);
            if (!Files.exists(out)) {
                AtomicFiles.move(tmp, out);
                return;
            }
            if (isEmptyDir(out)) {
                Files.delete(out);
                AtomicFiles.move(tmp, out);
                return;
            }
            Path old = out.resolveSibling(out.getFileName() + ".old-" + AtomicFiles.randomSuffix());
            AtomicFiles.move(out, old);
            try {
                AtomicFiles.move(tmp, out);
            } catch (IOException | RuntimeException e) {
                try {
                    AtomicFiles.move(old, out);
                } catch (IOException restore) {
                    e.addSuppressed(restore);
                }
                throw e;
            }
            AtomicFiles.deleteRecursively(old);
        }

        @Override
        public void close() throws IOException {
            if (!committed) {
                try {
                    weights.close();
                } finally {
                    AtomicFiles.deleteRecursively(tmp);
                }
            }
        }
    }

    private static void checkTarget(Path out, boolean overwrite) throws IOException {
        if (!Files.exists(out)) {
            return;
        }
        if (!Files.isDirectory(out)) {
            throw new FileAlreadyExistsException(out.toString(), null, "exists and is not a directory");
        }
        if (!overwrite && !isEmptyDir(out)) {
            throw new FileAlreadyExistsException(out.toString(), null,
                    "exists and is not empty; pass overwrite=true to replace it");
        }
    }

    private static boolean isEmptyDir(Path dir) throws IOException {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            return !ds.iterator().hasNext();
        }
    }
}
