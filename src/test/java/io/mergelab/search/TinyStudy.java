package io.mergelab.search;

import io.mergelab.data.DatasetSpec;
import io.mergelab.data.DatasetSplits;
import io.mergelab.data.Datasets;
import io.mergelab.model.gpt2.Gpt2Factory;
import io.mergelab.model.gpt2.ModelPreset;
import io.mergelab.train.FineTuneJob;
import io.mergelab.train.FineTuner;
import io.mergelab.train.TrainingArgs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The tiny study the search tests run on: a seeded factory TINY GPT-2 (2 layers, 128 wide) fine-tuned
 * with the train package for a few dozen steps on Yelp and on Amazon review sentences (shipped data).
 * Built once under target/tmp/search-study and reused (a "ready" marker is written last).
 */
final class TinyStudy {
    static final Path ROOT = Path.of("target/tmp/search-study").toAbsolutePath();
    static final Path BASE = ROOT.resolve("base");
    static final Path YELP = ROOT.resolve("yelp");
    static final Path AMAZON = ROOT.resolve("amazon");
    static final Path YELP_SPEC = Path.of("configs/datasets/yelp.yaml").toAbsolutePath();
    static final Path AMAZON_SPEC = Path.of("configs/datasets/amazon.yaml").toAbsolutePath();

    private TinyStudy() {
    }

    static synchronized void ensure() throws IOException {
        if (Files.exists(ROOT.resolve("ready"))) {
            return;
        }
        Files.createDirectories(ROOT);
        Gpt2Factory.writeCheckpoint(ModelPreset.TINY, 1234L, BASE, Path.of("data/gpt2-tokenizer").toAbsolutePath(),
                true);
        finetune(YELP_SPEC, YELP);
        finetune(AMAZON_SPEC, AMAZON);
        Files.writeString(ROOT.resolve("ready"), "ok\n");
    }

    private static void finetune(Path spec, Path out) throws IOException {
        DatasetSplits s = Datasets.prepare(DatasetSpec.load(spec), 42);
        TrainingArgs args = TrainingArgs.fromMap(Map.of("learning_rate", 2e-3, "max_steps", 40,
                "per_device_train_batch_size", 16, "warmup_ratio", 0.1, "eval_strategy", "no", "save_strategy", "no",
                "seed", 7, "max_length", 64));
        new FineTuner(args, System.err, false).run(new FineTuneJob(BASE, s.labels(), s.train(), s.validation(),
                s.test(), out, true));
    }

    /** A search over this study; {@code strategyLines} adds strategy-specific keys. */
    static String yaml(String name, String method, String free, String strategy, int budget, String extra) {
        return "search:\n"
                + "  name: " + name + "\n"
                + "  merge:\n"
                + "    method: " + method + "\n"
                + "    base_model: " + BASE + "\n"
                + "    models: {yelp: " + YELP + ", amazon: " + AMAZON + "}\n"
                + "  free:\n" + free
                + "  objective:\n"
                + "    metric: accuracy\n"
                + "    datasets: [" + YELP_SPEC + ", " + AMAZON_SPEC + "]\n"
                + "  budget: {candidates: " + budget + "}\n"
                + "  strategy: " + strategy + "\n"
                + "  seed: 3\n"
                + "  keep_best: 2\n"
                + "  eval: {batch_size: 64, max_length: 64}\n"
                + extra;
    }
}
