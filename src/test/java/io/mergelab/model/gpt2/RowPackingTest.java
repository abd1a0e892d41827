package io.mergelab.model.gpt2;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.mergelab.model.checkpoint.CheckpointDir;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The classifier's packed forward ({@link RowPacking}: per-token work on real tokens only, the last block on
 * the pooled rows only) against the padded forward it replaces (all [B, T] positions, then a gather): the
 * pooled states and every parameter's gradient agree. Only the matrix products' row blocking differs, so the
 * bound is the same-weights tolerance, relative to each tensor's largest value.
 */
class RowPackingTest {
    private static final List<String> TEXTS = List.of(
            "The soup was cold and the waiter was rude, and we waited forty minutes for a table.",
            "Great phone.", "Meh", "Works well, battery lasts two days.", "Terrible!");

    @Test
    void packedForwardAndBackwardMatchThePaddedOnes(@TempDir Path tmp) throws Exception {
        Path model = tmp.resolve("tiny");
        Gpt2Factory.writeCheckpoint(ModelPreset.TINY, 5, model, TestModels.tokenizerDir(), false);
        try (NDManager m = NDManager.newBaseManager(); Gpt2Tokenizer tok = Gpt2Tokenizer.open(model, 50256)) {
            var c = Gpt2Checkpoints.loadClassifier(CheckpointDir.open(model), m, List.of("neg", "pos"), 5L);
            var batch = tok.batch(TEXTS, 64, false);
            long[][] ids = batch.ids();
            long[][] mask = batch.attentionMask();
            long[] pooled = new long[ids.length];
            long real = 0;
            for (int r = 0; r < ids.length; r++) {
                long len = java.util.Arrays.stream(mask[r]).sum();
                pooled[r] = len - 1;
                real += len;
            }
            assertTrue(real < (long) ids.length * ids[0].length, "the batch must have padding to pack away");
            int b = ids.length;
            int t = ids[0].length;
            assertNotNull(RowPacking.of(m, flat(ids), flat(mask), b, t, pooled), "a right-padded batch packs");

            Result packed = run(c.model().transformer(), m, ids, mask, pooled, true);
            Result padded = run(c.model().transformer(), m, ids, mask, pooled, false);
            assertClose("pooled hidden states", padded.pooled, packed.pooled);
            assertTrue(packed.gradients.size() > 10);
            for (Map.Entry<String, float[]> e : padded.gradients.entrySet()) {
                assertClose(e.getKey() + " gradient", e.getValue(), packed.gradients.get(e.getKey()));
            }

            // each row alone (no padding at all) gives what it gives in the padded batch
            for (int r = 0; r < b; r++) {
                int len = (int) (pooled[r] + 1);
                long[][] one = {java.util.Arrays.copyOf(ids[r], len)};
                long[][] oneMask = {java.util.Arrays.copyOf(mask[r], len)};
                float[] alone = run(c.model().transformer(), m, one, oneMask, new long[] {len - 1}, true).pooled;
                float[] inBatch = java.util.Arrays.copyOfRange(packed.pooled, r * alone.length, (r + 1) * alone.length);
                assertClose("row " + r + " alone", alone, inBatch);
            }
        }
    }

    @Test
    void batchesThatAreNotRightPaddedTakeThePaddedPath() {
        try (NDManager m = NDManager.newBaseManager()) {
            long[] ids = {5, 6, 7, 8, 9, 10};
            assertNotNull(RowPacking.of(m, ids, new long[] {1, 1, 1, 1, 1, 0}, 2, 3, new long[] {2, 1}));
            assertNotNull(RowPacking.of(m, ids, null, 2, 3, new long[] {2, 2}), "no mask: nothing padded");
            assertNull(RowPacking.of(m, ids, new long[] {0, 1, 1, 1, 1, 1}, 2, 3, new long[] {2, 2}), "left padding");
            assertNull(RowPacking.of(m, ids, new long[] {1, 0, 1, 1, 1, 1}, 2, 3, new long[] {2, 2}), "a hole");
            assertNull(RowPacking.of(m, ids, new long[] {0, 0, 0, 1, 1, 1}, 2, 3, new long[] {0, 2}), "an empty row");
            assertNull(RowPacking.of(m, ids, new long[] {1, 1, 0, 1, 1, 1}, 2, 3, new long[] {2, 2}),
                    "pooled in the padding");
        }
    }

    private record Result(float[] pooled, Map<String, float[]> gradients) {}

    private static Result run(Gpt2Transformer transformer, NDManager parent, long[][] ids, long[][] mask,
            long[] pooled, boolean packed) {
        try (NDManager m = parent.newSubManager()) {
            for (Parameter p : transformer.namedParameters().values()) {
                p.getArray().setRequiresGradient(true);
            }
            NDArray idArray = m.create(ids);
            NDArray maskArray = m.create(mask);
            int b = ids.length;
            float[] out;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                ParameterStore ps = new ParameterStore(m, false);
                NDArray h;
                if (packed) {
                    h = transformer.pooled(ps, idArray, maskArray, false, null, pooled);
                } else {
                    NDArray hidden = transformer.hidden(ps, idArray, maskArray, false);
                    long c = hidden.getShape().get(2);
                    h = hidden.gather(m.create(pooled).reshape(b, 1, 1).broadcast(b, 1, c), 1).reshape(b, c);
                }
                out = h.toFloatArray();
                // a loss that weighs every pooled coordinate differently, so every gradient path is exercised
                NDArray weights = m.arange(0f, (float) h.size(), 1f).reshape(h.getShape()).mul(0.01f).sin();
                gc.backward(h.mul(weights).sum());
            }
            Map<String, float[]> grads = new LinkedHashMap<>();
            for (var e : transformer.namedParameters().entrySet()) {
                try (NDArray g = e.getValue().getArray().getGradient()) {
                    grads.put(e.getKey(), g.toFloatArray());
                    g.muli(0f); // autograd accumulates: the next run starts from zero
                }
            }
            return new Result(out, grads);
        }
    }

    private static long[] flat(long[][] a) {
        return java.util.Arrays.stream(a).flatMapToLong(java.util.Arrays::stream).toArray();
    }

    private static void assertClose(String what, float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length, what + ": length");
        float scale = 0;
        for (float v : expected) {
            scale = Math.max(scale, Math.abs(v));
        }
        float bound = TestModels.SAME_WEIGHTS_TOLERANCE * Math.max(scale, 1e-6f);
        for (int i = 0; i < expected.length; i++) {
            assertTrue(Float.isFinite(actual[i]), what + "[" + i + "] is not finite");
            assertTrue(Math.abs(expected[i] - actual[i]) <= bound,
                    what + "[" + i + "]: " + actual[i] + " vs " + expected[i] + " (bound " + bound + ")");
        }
    }
}
