package io.mergelab.train;

import io.mergelab.data.Example;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The "same command" the resume test runs in a child JVM (and, uninterrupted, in the test JVM):
 * {@code ResumeChild MODEL_DIR OUT_DIR}.
 */
public final class ResumeChild {
    static final int MAX_STEPS = 40;
    static final int SAVE_STEPS = 4;

    static TrainingArgs args() {
        return TrainingArgs.fromMap(Map.of("learning_rate", 1e-3, "per_device_train_batch_size", 8,
                "max_steps", MAX_STEPS, "save_steps", SAVE_STEPS, "logging_steps", 1, "warmup_steps", 4,
                "weight_decay", 0.01, "gradient_accumulation_steps", 2, "eval_strategy", "steps", "eval_steps", 10))
                .with("load_best_model_at_end", true).with("metric_for_best_model", "accuracy");
    }

    static FineTuneJob job(Path model, Path out) throws Exception {
        List<List<Example>> s = TrainFixtures.yelpSplits();
        return new FineTuneJob(model, TrainFixtures.BINARY, s.get(0).subList(0, 240), s.get(1).subList(0, 40),
                List.of(), out, false);
    }

    public static void main(String[] a) throws Exception {
        new FineTuner(args(), System.err, false).run(job(Path.of(a[0]), Path.of(a[1])));
    }
}
