package io.mergelab.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import io.mergelab.model.gpt2.Gpt2SequenceClassifier;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Batched inference over pre-tokenised rows: rows are grouped by length so each batch pads little
 * (dynamic padding, pad id on the right), and logits come back in the input order.
 */
public final class BatchedClassifier {
    private final Gpt2SequenceClassifier model;
    private final long padId;
    private final int batchSize;

    public BatchedClassifier(Gpt2SequenceClassifier model, long padId, int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("eval batch size must be at least 1, got " + batchSize);
        }
        this.model = model;
        this.padId = padId;
        this.batchSize = batchSize;
    }

    /** Logits [rows][num_labels]; no dropout, no gradients. */
    public float[][] logits(List<long[]> rows, NDManager parent) {
        Integer[] order = IntStream.range(0, rows.size()).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingInt(i -> rows.get(i).length)); // stable: ties keep input order
        float[][] out = new float[rows.size()][];
        for (int start = 0; start < order.length; start += batchSize) {
            int end = Math.min(order.length, start + batchSize);
            int[] idx = new int[end - start];
            for (int i = start; i < end; i++) {
                idx[i - start] = order[i];
            }
            PaddedBatch batch = PaddedBatch.of(rows, idx, padId);
            try (NDManager step = parent.newSubManager()) {
                NDArray ids = step.create(batch.ids());
                NDArray mask = step.create(batch.mask());
                NDArray logits = model.forward(new ParameterStore(step, false), new NDList(ids, mask), false)
                        .singletonOrThrow();
                float[] flat = logits.toFloatArray();
                int k = flat.length / idx.length;
                for (int r = 0; r < idx.length; r++) {
                    out[idx[r]] = Arrays.copyOfRange(flat, r * k, (r + 1) * k);
                }
            }
        }
        return out;
    }
}
