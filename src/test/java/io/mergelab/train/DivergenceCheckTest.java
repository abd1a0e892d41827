package io.mergelab.train;

import io.mergelab.data.TextCorpus;
import io.mergelab.model.gpt2.ModelPreset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A loss that turns NaN stops the run at that step, before its update, with one line naming the step, the learning
 * rate and the last good checkpoint; the checkpoint is intact, so a rerun (with the cause removed) resumes from it.
 */
class DivergenceCheckTest {
    private static final int NAN_AT = 7; // 1-based step whose loss is made NaN
    private static final TrainingArgs ARGS = CausalLmPretrainer.arguments(Map.of("learning_rate", 1e-3,
            "per_device_train_batch_size", 4, "max_length", 16, "max_steps", 10, "save_steps", 5,
            "warmup_steps", 0, "lr_scheduler_type", "constant", "seed", 3));

    @Test
    void aNanLossStopsTheRunAtThatStepNamingTheRateAndTheLastCheckpoint(@TempDir Path tmp) throws Exception {
        Path model = TrainFixtures.model(ModelPreset.TINY, tmp);
        List<String> docs = TextCorpus.read(List.of(Path.of("data/uci-sentiment/yelp_labelled.txt")), null).documents();
        Path out = tmp.resolve("out");
        int[] step = {0};
        TrainingDiverged e = assertThrows(TrainingDiverged.class, () -> new CausalLmPretrainer(ARGS, System.err,
                false, null, objective -> (m, rows, drawSeed) -> {
                    TrainingLoop.MicroBatch b = objective.loss(m, rows, drawSeed);
                    return ++step[0] == NAN_AT ? new TrainingLoop.MicroBatch(b.loss().mul(Float.NaN), b.tokens()) : b;
                }).run(new PretrainJob(model, docs, 0.05, out, false)));

        Path checkpoint = out.resolve("checkpoints/checkpoint-5");
        assertEquals("pre-training diverged at step " + NAN_AT + " of 10: loss NaN, gradient norm NaN at "
                + "learning_rate 0.00100; last good checkpoint: " + checkpoint
                + " (a rerun resumes from it; lower learning_rate or max_grad_norm first)", e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
        assertEquals(NAN_AT, step[0], "no micro-batch after the diverged step");
        assertFalse(Files.exists(out.resolve(TrainingOutput.METRICS)), "a diverged run does not look finished");

        // the checkpoint before the NaN is intact: the rerun without the fault resumes from it and finishes
        PretrainResult r = new CausalLmPretrainer(ARGS, System.err, false).run(new PretrainJob(model, docs, 0.05, out,
                false));
        assertEquals(5, r.resumedFromStep());
        assertEquals(10, r.steps());
        assertTrue(Double.isFinite(r.trainLoss()), "train loss " + r.trainLoss());
    }
}
