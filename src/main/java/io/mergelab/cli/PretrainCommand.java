package io.mergelab.cli;

import io.mergelab.data.TextCorpus;
import io.mergelab.model.gpt2.Gpt2Factory;
import io.mergelab.model.gpt2.ModelPreset;
import io.mergelab.train.CausalLmPretrainer;
import io.mergelab.train.PretrainJob;
import io.mergelab.train.PretrainResult;
import io.mergelab.train.SampledSoftmax;
import io.mergelab.train.TrainingArgs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "pretrain",
        description = {"Pre-train a GPT-2 as a causal language model on plain text (next-token prediction).",
            "Starts from a seeded factory preset (--preset) or an existing checkpoint (--model). --corpus takes",
            ".txt files (one document per line; text after a tab is dropped, so UCI sentiment files work),",
            ".tsv/.csv files (the text/review/sentence column, or --column) and directories of those.",
            "A seeded share of the documents is held out and its perplexity reported before and after.",
            "Training arguments use transformers' names (--set learning_rate=1e-3 ...), with pre-training defaults",
            "(docs/training-args.md#pre-training; max_length is the block size).",
            "An interrupted run resumes when started again with the same command.",
            "OUT receives an HF GPT2LMHeadModel dir (transformers loads it), training_state.json and metrics.json.",
            "Example: mergelab pretrain --preset tiny --corpus data/uci-sentiment/imdb_labelled.txt \\",
            "           --corpus data/drugscom-sample --out outputs/pretrained/tiny-reviews"},
        mixinStandardHelpOptions = true)
final class PretrainCommand implements Callable<Integer> {

    @Option(names = "--preset", description = "Start from the factory's seeded random weights: tiny | small | gpt2.")
    String preset;

    @Option(names = "--model", description = "Start from this GPT-2 checkpoint directory instead (continued pre-training).")
    Path model;

    @Option(names = "--corpus", required = true, arity = "1..*", paramLabel = "FILE_OR_DIR",
            description = "Text to train on (repeatable).")
    List<Path> corpus = new ArrayList<>();

    @Option(names = "--column", description = "Text column of TSV/CSV corpus files (default: text, review, sentence, "
            + "content or body, whichever exists).")
    String column;

    @Option(names = "--out", required = true, description = "Output directory.")
    Path out;

    @Option(names = "--held-out", defaultValue = "0.05",
            description = "Share of documents held out for perplexity (default: ${DEFAULT-VALUE}).")
    double heldOut;

    @Option(names = "--seed", defaultValue = "42",
            description = "Seed of the preset's weights, the held-out split, the block order and dropout (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--steps", description = "Shorthand for --set max_steps=...") Integer steps;

    @Option(names = "--learning-rate", description = "Shorthand for --set learning_rate=...") Double learningRate;

    @Option(names = "--batch-size", description = "Shorthand for --set per_device_train_batch_size=...") Integer batchSize;

    @Option(names = "--max-length", description = "Shorthand for --set max_length=... (tokens per block)") Integer maxLength;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "A training argument (repeatable; wins over the flags).")
    List<String> sets = new ArrayList<>();

    @Option(names = "--sampled-softmax", paramLabel = "N", description = "Train the output layer on each batch's "
            + "target tokens plus N uniformly drawn ones instead of all 50 257 (e.g. 4096: several times more tokens "
            + "per CPU hour for small models; held-out perplexity stays full-vocabulary). Default: full softmax.")
    Integer sampledSoftmax;

    @Option(names = "--threads", description = "Intra-op CPU threads for libtorch (default: its own choice). "
            + "Reruns and resumes are bit-identical with 1; with more they may differ in the last bits.")
    Integer threads;

    @Option(names = "--overwrite", description = "Discard a finished or interrupted run in --out and start again.")
    boolean overwrite;

    @Option(names = "--no-progress", description = "No progress bar.")
    boolean noProgress;

    @Override
    public Integer call() throws IOException {
        if ((preset == null) == (model == null)) {
            throw new IllegalArgumentException("give exactly one of --preset (tiny, small, gpt2) or --model DIR");
        }
        if (threads != null) {
            System.setProperty("ai.djl.pytorch.num_threads", threads.toString()); // read when the engine starts
        }
        Map<String, Object> explicit = new LinkedHashMap<>();
        explicit.put("seed", seed);
        put(explicit, "max_steps", steps);
        put(explicit, "learning_rate", learningRate);
        put(explicit, "per_device_train_batch_size", batchSize);
        put(explicit, "max_length", maxLength);
        TrainingArgs args = CausalLmPretrainer.arguments(explicit);
        for (String s : sets) {
            args = args.withAssignment(s);
        }
        for (String note : args.warnings()) {
            System.err.println("mergelab: note: " + note);
        }
        TextCorpus text = TextCorpus.read(corpus, column);
        System.err.printf(Locale.ROOT, "pretrain %s on %d documents from %d files%n",
                preset != null ? "preset " + preset + " (seed " + seed + ")" : model, text.documents().size(),
                text.files().size());
        Path init = null;
        try {
            Path start = model;
            if (preset != null) {
                ModelPreset p = ModelPreset.parse(preset);
                init = Files.createTempDirectory("mergelab-pretrain-init");
                start = init.resolve("model");
                Gpt2Factory.writeCheckpoint(p, seed, start, Paths.tokenizerDir(), false);
            }
            PretrainResult r = new CausalLmPretrainer(args, System.err, !noProgress,
                    sampledSoftmax == null ? null : new SampledSoftmax(sampledSoftmax))
                    .run(new PretrainJob(start, text.documents(), heldOut, out, overwrite));
            System.out.printf(Locale.ROOT, "%s: %d steps, train_loss %.4f, held-out perplexity %.2f%s, %.0f tokens/s%n",
                    r.modelDir(), r.steps(), r.trainLoss(), r.perplexity(), Double.isFinite(r.initialPerplexity())
                            ? String.format(Locale.ROOT, " (before: %.1f)", r.initialPerplexity()) : "",
                    r.tokensPerSecond());
            return 0;
        } finally {
            if (init != null) {
                io.mergelab.model.checkpoint.AtomicFiles.deleteRecursively(init);
            }
        }
    }

    private static void put(Map<String, Object> m, String key, Object value) {
        if (value != null) {
            m.put(key, value);
        }
    }
}
