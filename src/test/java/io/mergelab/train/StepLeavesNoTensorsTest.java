package io.mergelab.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.mergelab.model.checkpoint.CheckpointDir;
import io.mergelab.model.gpt2.Gpt2Checkpoints;
import io.mergelab.model.gpt2.Gpt2Factory;
import io.mergelab.model.gpt2.Gpt2SequenceClassifier;
import io.mergelab.model.gpt2.ModelPreset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A training step must leave nothing behind in the manager that holds the weights: whatever it allocates lives in
 * the step's sub-manager and is freed with it. DJL attaches an op's result to its first operand's manager, so an
 * op applied to a weight (the tied LM head's transpose, the sampled softmax's gathered rows) used to add one tensor
 * to the weights' manager per step; with a sampled softmax those were 2.6 MB each and the quickstart's pre-training
 * was OOM-killed at 24 GB. Counting arrays is exact where RSS is noisy: the count after three steps must equal the
 * count before them, for each objective the trainers use.
 */
class StepLeavesNoTensorsTest {
    @TempDir
    static Path tmp;
    static Path base;

    @BeforeAll
    static void makeModel() throws Exception {
        base = tmp.resolve("tiny");
        Gpt2Factory.writeCheckpoint(ModelPreset.TINY, 11, base, Path.of("data/gpt2-tokenizer").toAbsolutePath(),
                false);
    }

    private static final long[][] ROWS = {{464, 3797, 373, 1468, 290, 262, 4259, 83}, {13, 5657, 3072, 11, 2499, 880, 13, 50256}};

    @Test
    void causalLmStepsWithTheFullSoftmax() {
        assertNoGrowth(false, (model, step) -> CausalLmPretrainer.meanLoss(model.lm(), new ParameterStore(step, false),
                step.create(ROWS), true));
    }

    @Test
    void causalLmStepsWithASampledSoftmax() {
        SampledSoftmax sampled = new SampledSoftmax(256);
        assertNoGrowth(false, (model, step) -> sampled.meanLoss(model.lm(), new ParameterStore(step, false), step,
                ROWS, 5L, true));
    }

    @Test
    void classificationSteps() {
        assertNoGrowth(true, (model, step) -> {
            NDArray logits = model.classifier().forward(new ParameterStore(step, false),
                    new NDList(step.create(ROWS), step.create(new long[][] {{1, 1, 1, 1, 1, 1, 1, 1}, {1, 1, 1, 1, 1, 1, 1, 0}})),
                    true).singletonOrThrow();
            return logits.logSoftmax(1).gather(step.create(new long[][] {{0}, {1}}), 1).mean().neg();
        });
    }

    private record Models(io.mergelab.model.gpt2.Gpt2LmHeadModel lm, Gpt2SequenceClassifier classifier) {}

    private static void assertNoGrowth(boolean classify, BiFunction<Models, NDManager, NDArray> loss) {
        Engine.getInstance(); // loads libtorch before the first JNI call
        JniUtils.setGradMode(false);
        try (NDManager weights = NDManager.newBaseManager()) {
            CheckpointDir dir = CheckpointDir.open(base);
            Models models;
            Map<String, Parameter> params;
            if (classify) {
                var c = Gpt2Checkpoints.loadClassifier(dir, weights, List.of("neg", "pos"), 3L);
                models = new Models(null, c.model());
                params = c.model().namedParameters();
            } else {
                var lm = Gpt2Checkpoints.loadLanguageModel(dir, weights, UnaryOperator.identity());
                models = new Models(lm.model(), null);
                params = lm.model().namedParameters();
            }
            List<TrainableParameter> trainable = new ArrayList<>();
            params.forEach((name, p) -> {
                p.getArray().setRequiresGradient(true);
                trainable.add(new TrainableParameter(name, p.getArray(), TrainableParameter.decays(name)));
            });
            try (AdamW adamW = new AdamW(trainable, 0.9, 0.999, 1e-8, 0.01, weights)) {
                int before = -1;
                for (int i = 0; i < 4; i++) {
                    try (NDManager step = weights.newSubManager();
                            GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        gc.backward(loss.apply(models, step));
                    }
                    GradientClipping.clipGlobalNorm(trainable, 1.0);
                    adamW.step(1e-3);
                    adamW.zeroGrad();
                    if (i == 0) { // after the first step: gradients exist from then on
                        before = weights.getManagedArrays().size();
                    }
                }
                assertEquals(before, weights.getManagedArrays().size(),
                        "arrays left in the weights' manager by three training steps");
            }
        }
    }
}
