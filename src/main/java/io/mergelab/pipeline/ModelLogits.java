package io.mergelab.pipeline;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import io.mergelab.data.Example;
import io.mergelab.eval.BatchedClassifier;
import io.mergelab.eval.TokenizedExamples;
import io.mergelab.model.checkpoint.CheckpointDir;
import io.mergelab.model.gpt2.Gpt2Checkpoints;
import io.mergelab.model.gpt2.Gpt2Tokenizer;

import java.nio.file.Path;
import java.util.List;

/**
 * Per-example logits of a classifier checkpoint, computed as {@link io.mergelab.eval.Evaluator} does (same
 * tokenisation, truncation, batching); the pipeline keeps the logits because ensembles and the stacker need them.
 */
final class ModelLogits {
    private ModelLogits() {
    }

    /** Logits [examples][labels] and the gold labels. */
    record Result(float[][] logits, int[] gold) {
    }

    static Result compute(Path modelDir, List<String> labels, List<Example> examples, int batchSize, int maxLength,
                          Device device) {
        CheckpointDir dir = CheckpointDir.open(modelDir);
        if (dir.tensorByCanonicalName("score.weight").isEmpty()) {
            throw new IllegalArgumentException(modelDir + ": no classification head (score.weight) to evaluate");
        }
        try (NDManager manager = NDManager.newBaseManager(device)) {
            Gpt2Checkpoints.LoadedClassifier c = Gpt2Checkpoints.loadClassifier(dir, manager, labels, 0L);
            int pad = c.config().padTokenId();
            try (Gpt2Tokenizer tokenizer = Gpt2Tokenizer.open(modelDir, pad)) {
                TokenizedExamples data = TokenizedExamples.of(examples, tokenizer, maxLength, labels.size());
                float[][] logits = new BatchedClassifier(c.model(), pad, batchSize).logits(data.rows(), manager);
                return new Result(logits, data.labels());
            }
        }
    }
}
