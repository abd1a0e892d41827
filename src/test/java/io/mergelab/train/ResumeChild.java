package io.mergelab.train;

import io.mergelab.data.Example;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The "same command" the resume test runs in a child JVM (and, uninterrupted, in the test JVM):
 * {@code ResumeChild MODEL_DIR OUT_DIR [SAVE_STEPS [MAX_STEPS]]} (save_steps does not change the weights, only when
 * periodic checkpoints are written; an epoch end, every 15 steps here, always writes one).
 */
public final class ResumeChild {
    static final int MAX_STEPS = 40;
    static final int SAVE_STEPS = 4;

    static final int STEPS_PER_EPOCH = 15; // 240 examples, batch 8, accumulation 2

    static TrainingArgs args() {
        return args(SAVE_STEPS, MAX_STEPS);
    }

    static TrainingArgs args(int saveSteps, int maxSteps) {
        return TrainingArgs.fromMap(Map.of("learning_rate", 1e-3, "per_device_train_batch_size", 8,
                "max_steps", maxSteps, "save_steps", saveSteps, "logging_steps", 1, "warmup_steps", 4,
                "weight_decay", 0.01, "gradient_accumulation_steps", 2, "eval_strategy", "steps", "eval_steps", 10))
                .with("load_best_model_at_end", true).with("metric_for_best_model", "accuracy");
    }

    static FineTuneJob job(Path model, Path out) throws Exception {
        List<List<Example>> s = TrainFixtures.yelpSplits();
        return new FineTuneJob(model, TrainFixtures.BINARY, s.get(0).subList(0, 240), s.get(1).subList(0, 40),
                List.of(), out, false);
    }

    public static void main(String[] a) throws Exception {
        int saveSteps = a.length > 2 ? Integer.parseInt(a[2]) : SAVE_STEPS;
        int maxSteps = a.length > 3 ? Integer.parseInt(a[3]) : MAX_STEPS;
        new FineTuner(args(saveSteps, maxSteps), System.err, false).run(job(Path.of(a[0]), Path.of(a[1])));
    }
}
