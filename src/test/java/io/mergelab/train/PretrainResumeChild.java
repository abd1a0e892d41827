package io.mergelab.train;

import io.mergelab.data.TextCorpus;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The "same command" of {@link PretrainResumeAfterKillTest}, run in child JVMs: {@code PretrainResumeChild MODEL_DIR
 * OUT_DIR [SAVE_STEPS]} pre-trains on the shipped UCI sentences with a sampled softmax (whose draws depend on the step), gradient
 * accumulation and dropout on.
 */
public final class PretrainResumeChild {
    static final int MAX_STEPS = 24;
    static final int SAVE_STEPS = 4;

    public static void main(String[] a) throws Exception {
        TrainingArgs args = CausalLmPretrainer.arguments(Map.of("learning_rate", 2e-3, "per_device_train_batch_size", 4,
                "gradient_accumulation_steps", 2, "max_length", 32, "max_steps", MAX_STEPS, "save_steps", a.length > 2 ? Integer.parseInt(a[2]) : SAVE_STEPS,
                "logging_steps", 1, "warmup_steps", 4, "seed", 11));
        List<String> docs = TextCorpus.read(List.of(Path.of("data/uci-sentiment").toAbsolutePath()), null).documents();
        new CausalLmPretrainer(args, System.err, false, new SampledSoftmax(512))
                .run(new PretrainJob(Path.of(a[0]), docs, 0.05, Path.of(a[1]), false));
    }
}
