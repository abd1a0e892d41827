package io.mergelab.model.gpt2;

import ai.djl.ndarray.NDManager;
import io.mergelab.model.checkpoint.CheckpointDir;
import io.mergelab.model.checkpoint.CheckpointFormatException;
import io.mergelab.model.checkpoint.Gpt2Config;
import io.mergelab.model.checkpoint.TensorInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Gpt2ClassifierCheckpointTest {
    private static final List<String> TEXTS = List.of("Great food and friendly staff.", "Never again.", "ok");

    @Test
    void savedClassifierReloadsWithIdenticalLogitsAndHfNames(@TempDir Path tmp) throws Exception {
        Path base = tmp.resolve("base");
        Gpt2Factory.writeCheckpoint(ModelPreset.TINY, 5, base, TestModels.tokenizerDir(), false);
        Path saved = tmp.resolve("clf");
        float[][] before;
        try (NDManager m = NDManager.newBaseManager();
                Gpt2Inference inf = Gpt2Inference.open(CheckpointDir.open(base), m, List.of("neg", "pos"), 11)) {
            before = inf.classify(TEXTS, 32);
            Gpt2Checkpoints.saveClassifier(inf.classifier(), base, saved, false);
        }
        CheckpointDir dir = CheckpointDir.open(saved);
        Gpt2Config c = dir.config();
        assertEquals(List.of("GPT2ForSequenceClassification"), c.architectures());
        assertEquals(List.of("neg", "pos"), c.labelList());
        assertEquals(50256, c.padTokenId());
        Set<String> names = dir.tensors().stream().map(TensorInfo::name).collect(Collectors.toSet());
        assertTrue(names.contains("score.weight"), names.toString());
        assertTrue(names.contains("transformer.h.1.mlp.c_proj.weight"), names.toString());
        assertTrue(names.stream().allMatch(n -> n.equals("score.weight") || n.startsWith("transformer.")), names.toString());
        assertTrue(Files.isRegularFile(saved.resolve("tokenizer.json")));

        try (NDManager m = NDManager.newBaseManager();
                Gpt2Inference inf = Gpt2Inference.open(dir, m, List.of(), 999)) {
            float[][] after = inf.classify(TEXTS, 32);
            for (int i = 0; i < TEXTS.size(); i++) {
                assertArrayEquals(before[i], after[i], TestModels.SAME_WEIGHTS_TOLERANCE, "row " + i);
            }
        }
    }

    @Test
    void newHeadIsSeeded(@TempDir Path tmp) throws Exception {
        Path base = tmp.resolve("base");
        Gpt2Factory.writeCheckpoint(ModelPreset.TINY, 5, base, TestModels.tokenizerDir(), false);
        float[][] a = classify(base, 1);
        float[][] b = classify(base, 1);
        float[][] c = classify(base, 2);
        assertArrayEquals(a[0], b[0], TestModels.SAME_WEIGHTS_TOLERANCE);
        assertNotEquals(a[0][0], c[0][0]);
    }

    @Test
    void paddedBatchGivesTheSameLogitsAsEachRowAlone(@TempDir Path tmp) throws Exception {
        Path base = tmp.resolve("base");
        Gpt2Factory.writeCheckpoint(ModelPreset.TINY, 5, base, TestModels.tokenizerDir(), false);
        try (NDManager m = NDManager.newBaseManager();
                Gpt2Inference inf = Gpt2Inference.open(CheckpointDir.open(base), m, List.of("a", "b", "c"), 3)) {
            float[][] batch = inf.classify(TEXTS, 64);
            for (int i = 0; i < TEXTS.size(); i++) {
                assertArrayEquals(inf.classify(List.of(TEXTS.get(i)), 64)[0], batch[i], 1e-5f, TEXTS.get(i));
            }
        }
    }

    @Test
    void askingForADifferentLabelCountThanTheSavedHeadIsAnError(@TempDir Path tmp) throws Exception {
        Path base = tmp.resolve("base");
        Gpt2Factory.writeCheckpoint(ModelPreset.TINY, 5, base, TestModels.tokenizerDir(), false);
        Path saved = tmp.resolve("clf");
        try (NDManager m = NDManager.newBaseManager();
                Gpt2Inference inf = Gpt2Inference.open(CheckpointDir.open(base), m, List.of("x", "y"), 1)) {
            Gpt2Checkpoints.saveClassifier(inf.classifier(), base, saved, false);
        }
        try (NDManager m = NDManager.newBaseManager()) {
            CheckpointFormatException e = assertThrows(CheckpointFormatException.class,
                    () -> Gpt2Checkpoints.loadClassifier(CheckpointDir.open(saved), m, List.of("a", "b", "c"), 1));
            assertTrue(e.getMessage().contains("score.weight"), e.getMessage());
        }
    }

    @Test
    void loadsTheSharedFakeGpt2WithATransformerPrefix() {
        try (NDManager m = NDManager.newBaseManager()) {
            Gpt2LmHeadModel lm = Gpt2Checkpoints.loadLanguageModel(CheckpointDir.open(TestModels.fakeGpt2()), m);
            Map<String, ?> params = lm.namedParameters();
            assertTrue(params.containsKey("transformer.h.0.attn.c_attn.weight"));
            assertEquals(2, lm.transformer().architecture().nEmbd());
        }
    }

    private static float[][] classify(Path base, long seed) {
        try (NDManager m = NDManager.newBaseManager();
                Gpt2Inference inf = Gpt2Inference.open(CheckpointDir.open(base), m, List.of("a", "b"), seed)) {
            return inf.classify(List.of("hello world"), 16);
        }
    }
}
