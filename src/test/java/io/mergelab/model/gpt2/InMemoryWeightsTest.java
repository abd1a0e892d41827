package io.mergelab.model.gpt2;

import ai.djl.ndarray.NDManager;
import io.mergelab.model.checkpoint.CheckpointDir;
import io.mergelab.model.checkpoint.FloatTensor;
import io.mergelab.model.checkpoint.Gpt2TensorNames;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InMemoryWeightsTest {
    private static final List<String> TEXTS = List.of("Loved it.", "The service was slow and the soup was cold.");

    @Test
    void classifierFromInMemoryTensorsMatchesTheSameWeightsOnDisk(@TempDir Path tmp) throws Exception {
        Path base = tmp.resolve("base");
        Gpt2Factory.writeCheckpoint(ModelPreset.TINY, 9, base, TestModels.tokenizerDir(), false);
        Path clf = tmp.resolve("clf");
        try (NDManager m = NDManager.newBaseManager();
                Gpt2Inference inf = Gpt2Inference.open(CheckpointDir.open(base), m, List.of("neg", "pos"), 4)) {
            Gpt2Checkpoints.saveClassifier(inf.classifier(), base, clf, false);
        }
        CheckpointDir dir = CheckpointDir.open(clf);
        Map<String, FloatTensor> tensors = new LinkedHashMap<>();
        dir.weightTensors().forEach(t -> tensors.put(Gpt2TensorNames.canonical(t.name()), dir.readCanonical(Gpt2TensorNames.canonical(t.name()))));

        try (NDManager m = NDManager.newBaseManager();
                Gpt2Inference onDisk = Gpt2Inference.open(dir, m, List.of(), 0);
                Gpt2Tokenizer tok = Gpt2Tokenizer.open(clf, 50256)) {
            var batch = tok.batch(TEXTS, 32, false);
            float[][] expected = onDisk.logits(batch.ids(), batch.attentionMask());
            var inMemory = Gpt2Checkpoints.classifierFromTensors(dir.config(), tensors, m);
            Gpt2Checkpoints.replaceWeights(onDisk.classifier(), tensors, m);
            float[][] again = onDisk.logits(batch.ids(), batch.attentionMask());
            for (int i = 0; i < TEXTS.size(); i++) {
                assertArrayEquals(expected[i], again[i], TestModels.SAME_WEIGHTS_TOLERANCE);
            }
            assertTrue(inMemory.model().namedParameters().containsKey("score.weight"));

            Map<String, FloatTensor> broken = new LinkedHashMap<>(tensors);
            broken.put("ln_f.weight", new FloatTensor("ln_f.weight", new long[] {3}, new float[3]));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Gpt2Checkpoints.replaceWeights(onDisk.classifier(), broken, m));
            assertTrue(e.getMessage().contains("ln_f.weight"), e.getMessage());
        }
    }
}
