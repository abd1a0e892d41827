package io.mergelab.train;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainingArgsTest {

    @Test
    void defaultsAreTransformers() {
        TrainingArgs a = TrainingArgs.defaults();
        assertEquals(5e-5, a.learningRate());
        assertEquals(8, a.trainBatchSize());
        assertEquals(3.0, a.numTrainEpochs());
        assertEquals(1.0, a.maxGradNorm());
        assertEquals(TrainingArgs.Scheduler.LINEAR, a.lrSchedulerType());
        assertEquals(TrainingArgs.Strategy.NO, a.evalStrategy());
        assertEquals(42L, a.seed());
        assertEquals("loss", a.metricForBestModel());
        assertFalse(a.greaterIsBetter());
    }

    @Test
    void readsTheSeedStudysTrainingArgsBlock() {
        Map<String, Object> yaml = new LinkedHashMap<>();
        yaml.put("output_dir", "imdb_finetune_gpt2");
        yaml.put("learning_rate", 2e-5);
        yaml.put("per_device_train_batch_size", 8);
        yaml.put("per_device_eval_batch_size", 8);
        yaml.put("num_train_epochs", 1);
        yaml.put("weight_decay", 0.01);
        yaml.put("evaluation_strategy", "epoch");
        yaml.put("save_strategy", "epoch");
        yaml.put("load_best_model_at_end", true);
        yaml.put("push_to_hub", true);
        yaml.put("hub_model_id", "x");
        TrainingArgs a = TrainingArgs.fromMap(yaml);
        assertEquals(2e-5, a.learningRate());
        assertEquals(TrainingArgs.Strategy.EPOCH, a.evalStrategy());
        assertEquals(TrainingArgs.Strategy.EPOCH, a.saveStrategy());
        assertTrue(a.loadBestModelAtEnd());
        assertEquals(1.0, a.numTrainEpochs());
        assertEquals(java.util.List.of("output_dir", "push_to_hub", "hub_model_id"), a.ignoredKeys());
    }

    @Test
    void commandLineStringsParse() {
        TrainingArgs a = TrainingArgs.defaults().withAssignment("learning_rate=3e-4").withAssignment("lr_scheduler_type=cosine")
                .withAssignment("warmup_steps=0.2").withAssignment("freeze=backbone").withAssignment("dropout=0");
        assertEquals(3e-4, a.learningRate());
        assertEquals(TrainingArgs.Scheduler.COSINE, a.lrSchedulerType());
        assertEquals(0.2, a.warmupRatio());
        assertEquals(20, a.warmupSteps(100));
        assertEquals(TrainingArgs.Freeze.BACKBONE, a.freeze());
        assertEquals(0.0, a.residPdrop());
        assertEquals(0.0, a.attnPdrop());
        assertEquals(7, TrainingArgs.defaults().with("warmup_steps", "7").warmupSteps(100));
        assertTrue(TrainingArgs.fromMap(Map.of("metric_for_best_model", "eval_accuracy")).greaterIsBetter());
    }

    @Test
    void unknownKeysGetADidYouMeanHint() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TrainingArgs.fromMap(Map.of("learning_rat", 1e-3)));
        assertEquals("unknown training argument 'learning_rat' (did you mean 'learning_rate'?)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> TrainingArgs.defaults().withAssignment("per_device_batch_size=4"));
        assertTrue(e.getMessage().contains("did you mean 'per_device_eval_batch_size'")
                || e.getMessage().contains("did you mean 'per_device_train_batch_size'"), e.getMessage());
    }

    @Test
    void badValuesNameTheKey() {
        assertEquals("training argument learning_rate: expected a number in (0, 1], got 'fast'", assertThrows(
                IllegalArgumentException.class, () -> TrainingArgs.defaults().with("learning_rate", "fast")).getMessage());
        assertEquals("training argument lr_scheduler_type: expected one of linear, cosine, constant, "
                + "constant_with_warmup, got 'step'", assertThrows(IllegalArgumentException.class,
                () -> TrainingArgs.defaults().with("lr_scheduler_type", "step")).getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> TrainingArgs.fromMap(Map.of("load_best_model_at_end", true)));
    }
}
