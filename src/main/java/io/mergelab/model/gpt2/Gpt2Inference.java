package io.mergelab.model.gpt2;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import io.mergelab.model.checkpoint.CheckpointDir;
import io.mergelab.model.gpt2.Gpt2Checkpoints.LoadedClassifier;

import java.util.List;

/** A classifier and its tokenizer, ready to turn texts into logits (no gradients, no dropout). */
public final class Gpt2Inference implements AutoCloseable {
    private final LoadedClassifier classifier;
    private final Gpt2Tokenizer tokenizer;
    private final NDManager manager;

    private Gpt2Inference(LoadedClassifier classifier, Gpt2Tokenizer tokenizer, NDManager manager) {
        this.classifier = classifier;
        this.tokenizer = tokenizer;
        this.manager = manager;
    }

    /** Loads the classifier and the checkpoint's tokenizer.json; see {@link Gpt2Checkpoints#loadClassifier}. */
    public static Gpt2Inference open(CheckpointDir dir, NDManager parent, List<String> labels, long seed) {
        NDManager manager = parent.newSubManager();
        LoadedClassifier c = Gpt2Checkpoints.loadClassifier(dir, manager, labels, seed);
        Integer pad = c.config().padTokenId();
        return new Gpt2Inference(c, Gpt2Tokenizer.open(dir.path(), pad), manager);
    }

    public LoadedClassifier classifier() {
        return classifier;
    }

    public Gpt2Tokenizer tokenizer() {
        return tokenizer;
    }

    /** Logits [texts][num_labels] for one right-padded batch, truncated to {@code maxLength} tokens. */
    public float[][] classify(List<String> texts, int maxLength) {
        Gpt2Tokenizer.TokenBatch batch = tokenizer.batch(texts, maxLength, false);
        return logits(batch.ids(), batch.attentionMask());
    }

    /** Logits [rows][num_labels] for given token ids and attention mask. */
    public float[][] logits(long[][] ids, long[][] mask) {
        try (NDManager step = manager.newSubManager()) {
            NDArray idArray = step.create(ids);
            NDArray maskArray = step.create(mask);
            NDArray out = classifier.model()
                    .forward(new ParameterStore(step, false), new NDList(idArray, maskArray), false)
                    .singletonOrThrow();
            return toMatrix(out.toFloatArray(), ids.length);
        }
    }

    static float[][] toMatrix(float[] flat, int rows) {
        int cols = rows == 0 ? 0 : flat.length / rows;
        float[][] m = new float[rows][cols];
        for (int i = 0; i < rows; i++) {
            System.arraycopy(flat, i * cols, m[i], 0, cols);
        }
        return m;
    }

    @Override
    public void close() {
        tokenizer.close();
        manager.close();
    }
}
