package io.mergelab.model.gpt2;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.mergelab.model.checkpoint.CheckpointDir;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The backward pass must not depend on Java memory the JVM may free after the forward pass. DJL wraps numbers
 * such as {@code x.mul(0.5f)} in tensors over Java direct buffers and closes them straight away, while autograd
 * keeps them for the backward; fine-tunes went NaN at random steps that way. Here the collector runs and freed
 * direct memory is overwritten with NaN bit patterns between forward and backward: the gradients must equal
 * those of an undisturbed backward, bit for bit.
 */
class BackwardAfterGcTest {

    @Test
    void gradientsAreTheSameWhenTheCollectorRunsBetweenForwardAndBackward(@TempDir Path tmp) throws Exception {
        Path base = tmp.resolve("base");
        Gpt2Factory.writeCheckpoint(ModelPreset.TINY, 3, base, TestModels.tokenizerDir(), false);
        Map<String, float[]> calm = gradients(base, false);
        Map<String, float[]> churned = gradients(base, true);
        assertTrue(calm.size() > 10);
        for (Map.Entry<String, float[]> e : calm.entrySet()) {
            for (float v : e.getValue()) {
                assertTrue(Float.isFinite(v), e.getKey() + " has a non-finite gradient");
            }
            assertArrayEquals(e.getValue(), churned.get(e.getKey()), 0f, e.getKey());
        }
    }

    private static Map<String, float[]> gradients(Path model, boolean churn) throws Exception {
        Map<String, float[]> out = new LinkedHashMap<>();
        try (NDManager m = NDManager.newBaseManager();
                Gpt2Tokenizer tok = Gpt2Tokenizer.open(model, 50256)) {
            var c = Gpt2Checkpoints.loadClassifier(CheckpointDir.open(model), m, List.of("neg", "pos"), 5L);
            for (Parameter p : c.model().namedParameters().values()) {
                p.getArray().setRequiresGradient(true);
            }
            var batch = tok.batch(List.of("The soup was cold and the waiter rude.", "Great phone, works well."), 32,
                    false);
            Engine.getInstance().setRandomSeed(7); // the same dropout masks in both runs
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray ids = m.create(batch.ids());
                NDArray mask = m.create(batch.attentionMask());
                NDArray logits = c.model().forward(new ParameterStore(m, false), new NDList(ids, mask), true)
                        .singletonOrThrow();
                NDArray loss = logits.logSoftmax(1).get(":, 0").mean().neg();
                if (churn) {
                    churnDirectMemory();
                }
                gc.backward(loss);
            }
            for (Map.Entry<String, Parameter> e : c.model().namedParameters().entrySet()) {
                out.put(e.getKey(), e.getValue().getArray().getGradient().toFloatArray());
            }
        }
        return out;
    }

    /** Lets the collector free unreachable direct buffers, then reuses small native blocks, filled with NaN. */
    private static void churnDirectMemory() throws InterruptedException {
        for (int round = 0; round < 5; round++) {
            System.gc();
            Thread.sleep(50);
            List<ByteBuffer> keep = new ArrayList<>();
            for (int i = 0; i < 20_000; i++) {
                ByteBuffer b = ByteBuffer.allocateDirect(4 + (i % 8) * 4);
                while (b.hasRemaining()) {
                    b.put((byte) 0xFF); // 0xFFFFFFFF is a NaN as float32
                }
                keep.add(b);
            }
            keep.clear();
        }
    }
}
