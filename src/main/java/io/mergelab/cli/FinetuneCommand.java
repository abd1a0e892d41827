package io.mergelab.cli;

import io.mergelab.data.DatasetSpec;
import io.mergelab.data.DatasetSplits;
import io.mergelab.data.Datasets;
import io.mergelab.data.Example;
import io.mergelab.train.FineTuneJob;
import io.mergelab.train.FineTuneResult;
import io.mergelab.train.FineTuner;
import io.mergelab.train.TrainingArgs;
import io.mergelab.train.TrainingArgsDoc;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "finetune",
        description = {"Fine-tune a GPT-2 checkpoint as a sequence classifier on a dataset spec.",
            "Training arguments (listed below) take transformers' TrainingArguments names:",
            "--set learning_rate=2e-5 ..., or a YAML file with --args. An interrupted run",
            "resumes when started again with the same command. OUT receives an HF",
            "GPT2ForSequenceClassification dir, training_state.json and metrics.json."},
        mixinStandardHelpOptions = true, modelTransformer = FinetuneCommand.ArgumentsHelp.class)
final class FinetuneCommand implements Callable<Integer> {

    /** The help's footer lists the training arguments from the one table that parses them. */
    static final class ArgumentsHelp implements CommandLine.IModelTransformer {
        @Override
        public CommandLine.Model.CommandSpec transform(CommandLine.Model.CommandSpec spec) {
            List<String> footer = new ArrayList<>(List.of(""));
            footer.addAll(TrainingArgsDoc.helpLines());
            spec.usageMessage().footer(footer.toArray(String[]::new));
            return spec;
        }
    }

    @Option(names = "--model", required = true, paramLabel = "DIR|ORG/NAME[@REV]",
            description = "GPT-2 checkpoint directory (with tokenizer.json), or a hub id from the Hugging Face cache.")
    String model;

    @Mixin
    DeviceOption device;

    @Option(names = "--dataset", required = true, description = "Dataset spec YAML, e.g. configs/datasets/yelp.yaml.")
    Path dataset;

    @Option(names = "--out", required = true, description = "Output directory.")
    Path out;

    @Option(names = "--args", description = "YAML file of training arguments (a map, or a map under training_args:).")
    Path argsFile;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "A training argument, e.g. --set num_train_epochs=2 "
            + "(repeatable; wins over --args and the flags below).")
    List<String> sets = new ArrayList<>();

    @Option(names = "--learning-rate", description = "Shorthand for --set learning_rate=...") Double learningRate;

    @Option(names = "--epochs", description = "Shorthand for --set num_train_epochs=...") Double epochs;

    @Option(names = "--batch-size", description = "Shorthand for --set per_device_train_batch_size=...") Integer batchSize;

    @Option(names = "--max-steps", description = "Shorthand for --set max_steps=...") Integer maxSteps;

    @Option(names = "--seed", description = "Shorthand for --set seed=... (training seed: head init, order, dropout).")
    Long seed;

    @Option(names = "--max-length", description = "Shorthand for --set max_length=...") Integer maxLength;

    @Option(names = "--data-seed", defaultValue = "42",
            description = "Seed of the train/validation/test split and of --slice (default: ${DEFAULT-VALUE}).")
    long dataSeed;

    @Option(names = "--slice", paramLabel = "I/K",
            description = "Train on disjoint slice I of K of the training split (1-based), as merge studies do.")
    String slice;

    @Option(names = "--threads", description = "Intra-op CPU threads for libtorch (default: its own choice). "
            + "Reruns and resumes are bit-identical with 1; with more they may differ in the last bits.")
    Integer threads;

    @Option(names = "--overwrite", description = "Discard a finished or interrupted run in --out and start again.")
    boolean overwrite;

    @Option(names = "--no-progress", description = "No progress bar.")
    boolean noProgress;

    @Override
    public Integer call() throws IOException {
        if (threads != null) {
            System.setProperty("ai.djl.pytorch.num_threads", threads.toString()); // read when the engine starts
        }
        TrainingArgs args = trainingArgs();
        Path modelDir = ModelArgument.resolve(model, "--model");
        DatasetSpec spec = DatasetSpec.load(dataset);
        DatasetSplits splits = Datasets.prepare(spec, dataSeed);
        String empty = io.mergelab.data.DatasetStats.of(splits, null).emptyTextNote();
        if (empty != null) {
            System.err.println("warning: " + empty);
        }
        List<Example> train = splits.train();
        if (slice != null) {
            String[] p = slice.split("/");
            int i;
            int k;
            try {
                i = Integer.parseInt(p[0].trim());
                k = Integer.parseInt(p[1].trim());
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("--slice '" + slice + "': expected I/K, e.g. 2/5");
            }
            if (p.length != 2 || i < 1 || i > k) {
                throw new IllegalArgumentException("--slice '" + slice + "': expected I/K with 1 <= I <= K");
            }
            train = Datasets.disjointSlices(train, k, dataSeed).get(i - 1);
        }
        for (String note : args.warnings()) {
            System.err.println("mergelab: note: " + note);
        }
        System.err.printf(Locale.ROOT, "finetune %s on %s: %d train / %d validation / %d test examples, labels %s%n",
                model, splits.name(), train.size(), splits.validation().size(), splits.test().size(), splits.labels());
        FineTuneResult r = new FineTuner(args, System.err, !noProgress, device.choose()).run(new FineTuneJob(modelDir,
                splits.labels(),
                train, splits.validation(), splits.test(), out, overwrite));
        System.out.printf(Locale.ROOT, "%s: %d steps, train_loss %.4f, %.1f s/epoch, %.0f tokens/s%n", r.modelDir(),
                r.steps(), r.trainLoss(), r.secondsPerEpoch(), r.tokensPerSecond());
        if (r.validation() != null) {
            System.out.printf(Locale.ROOT, "validation: accuracy %.4f  f1_macro %.4f  loss %.4f%n",
                    r.validation().accuracy(), r.validation().f1Macro(), r.validation().loss());
        }
        if (r.test() != null) {
            System.out.printf(Locale.ROOT, "test:       accuracy %.4f  f1_macro %.4f  loss %.4f  (majority %.4f)%n",
                    r.test().accuracy(), r.test().f1Macro(), r.test().loss(), r.test().majorityRate());
        }
        return 0;
    }

    private TrainingArgs trainingArgs() throws IOException {
        TrainingArgs args = TrainingArgs.defaults();
        if (argsFile != null) {
            Object root;
            try (Reader r = Files.newBufferedReader(argsFile)) {
                root = new Yaml(new SafeConstructor(new LoaderOptions())).load(r);
            }
            if (root instanceof Map<?, ?> m && m.get("training_args") instanceof Map<?, ?> inner) {
                root = inner;
            }
            if (!(root instanceof Map<?, ?> map)) {
                throw new IllegalArgumentException(argsFile + ": expected a map of training arguments");
            }
            try {
                args = args.withAll(stringKeys(map));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(argsFile + ": " + e.getMessage(), e);
            }
        }
        args = flag(args, "learning_rate", learningRate);
        args = flag(args, "num_train_epochs", epochs);
        args = flag(args, "per_device_train_batch_size", batchSize);
        args = flag(args, "max_steps", maxSteps);
        args = flag(args, "seed", seed);
        args = flag(args, "max_length", maxLength);
        for (String s : sets) {
            args = args.withAssignment(s);
        }
        return args;
    }

    private static TrainingArgs flag(TrainingArgs args, String key, Object value) {
        return value == null ? args : args.with(key, value);
    }

    private static Map<String, Object> stringKeys(Map<?, ?> map) {
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        map.forEach((k, v) -> out.put(String.valueOf(k), v));
        return out;
    }
}
