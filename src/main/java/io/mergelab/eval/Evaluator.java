package io.mergelab.eval;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mergelab.data.Example;
import io.mergelab.model.checkpoint.CheckpointDir;
import io.mergelab.model.gpt2.Gpt2Checkpoints;
import io.mergelab.model.gpt2.Gpt2Checkpoints.LoadedClassifier;
import io.mergelab.model.gpt2.Gpt2Tokenizer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/** Evaluates a classifier checkpoint on labelled examples. */
public final class Evaluator {
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final int batchSize;
    private final int maxLength;
    private final Device device;

    public Evaluator(int batchSize, int maxLength) {
        this(batchSize, maxLength, null);
    }

    /** @param device where weights and batches live; null: the engine's default (the first GPU if any) */
    public Evaluator(int batchSize, int maxLength, Device device) {
        this.batchSize = batchSize;
        this.maxLength = maxLength;
        this.device = device;
    }

    /**
     * Loads {@code modelDir} (which must have a classification head with as many labels as
     * {@code labels}) and computes metrics on {@code examples}.
     */
    public ClassificationMetrics evaluate(Path modelDir, List<String> labels, List<Example> examples) {
        return evaluateTimed(modelDir, labels, examples).metrics();
    }

    /** Metrics with the time of the forward passes (loading and tokenizing excluded) and the tokens they read. */
    public record Timed(ClassificationMetrics metrics, double seconds, long tokens, int examples) {
        /** transformers' names: eval_runtime, eval_samples_per_second, and the tokens' rate. */
        public java.util.Map<String, Double> speed() {
            java.util.Map<String, Double> out = new java.util.LinkedHashMap<>();
            out.put("eval_runtime", Math.round(seconds * 1e3) / 1e3);
            out.put("eval_samples_per_second", Math.round(examples / seconds * 10) / 10.0);
            out.put("eval_tokens_per_second", Math.round(tokens / seconds * 10) / 10.0);
            return out;
        }
    }

    /** As {@link #evaluate}, timed. */
    public Timed evaluateTimed(Path modelDir, List<String> labels, List<Example> examples) {
        CheckpointDir dir = CheckpointDir.open(modelDir);
        if (dir.tensorByCanonicalName("score.weight").isEmpty()) {
            throw new IllegalArgumentException(modelDir + ": no classification head (score.weight); "
                    + "evaluate a fine-tuned checkpoint");
        }
        try (NDManager manager = NDManager.newBaseManager(device)) {
            LoadedClassifier c = Gpt2Checkpoints.loadClassifier(dir, manager, labels, 0L);
            List<String> names = labels.isEmpty() ? c.config().labelList() : labels;
            int pad = c.config().padTokenId();
            try (Gpt2Tokenizer tokenizer = Gpt2Tokenizer.open(modelDir, pad)) {
                TokenizedExamples data = TokenizedExamples.of(examples, tokenizer, maxLength, names.size());
                long t0 = System.nanoTime();
                float[][] logits = new BatchedClassifier(c.model(), pad, batchSize).logits(data.rows(), manager);
                double seconds = (System.nanoTime() - t0) / 1e9;
                long tokens = data.rows().stream().mapToLong(r -> r.length).sum();
                return new Timed(ClassificationMetrics.compute(names, data.labels(), logits), seconds, tokens,
                        data.rows().size());
            }
        }
    }

    /** The metrics as indented JSON, with context fields (model, dataset, split) first. */
    public static String toJson(ClassificationMetrics m, java.util.Map<String, ?> context) {
        ObjectNode root = MAPPER.createObjectNode();
        context.forEach((k, v) -> {
            if (v instanceof Number n) {
                root.put(k, n.doubleValue());
            } else {
                root.put(k, String.valueOf(v));
            }
        });
        root.setAll(m.toJson(MAPPER));
        try {
            return MAPPER.writeValueAsString(root) + "\n";
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialise metrics", e);
        }
    }

    /** Writes {@code content} to {@code file} via a sibling temp file and a rename. */
    public static void writeAtomically(Path file, String content) throws IOException {
        Path abs = file.toAbsolutePath();
        Files.createDirectories(abs.getParent());
        Path tmp = abs.resolveSibling("." + abs.getFileName() + ".tmp-" + ProcessHandle.current().pid());
        try {
            Files.writeString(tmp, content, StandardCharsets.UTF_8);
            Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
