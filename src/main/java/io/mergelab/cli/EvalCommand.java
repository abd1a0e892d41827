package io.mergelab.cli;

import io.mergelab.data.DatasetSpec;
import io.mergelab.data.DatasetSplits;
import io.mergelab.data.Datasets;
import io.mergelab.data.Example;
import io.mergelab.eval.ClassificationMetrics;
import io.mergelab.eval.Evaluator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "eval",
        description = {"Evaluate a fine-tuned GPT-2 classifier on a split of a dataset spec.",
            "Prints JSON: accuracy, macro/weighted F1, per-class precision/recall/F1, confusion matrix,",
            "mean cross-entropy and expected calibration error (15 bins)."},
        mixinStandardHelpOptions = true)
final class EvalCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, paramLabel = "DIR|ORG/NAME[@REV]",
            description = "Classifier checkpoint directory, or a hub id from the Hugging Face cache (downloaded "
                    + "when missing unless HF_HUB_OFFLINE=1).")
    String model;

    @Mixin
    DeviceOption device;

    @Option(names = "--dataset", required = true, description = "Dataset spec YAML, e.g. configs/datasets/yelp.yaml.")
    Path dataset;

    @Option(names = "--split", defaultValue = "test", description = "train, validation or test (default: ${DEFAULT-VALUE}).")
    String split;

    @Option(names = "--data-seed", defaultValue = "42",
            description = "Seed of the split; use the one the model was fine-tuned with (default: ${DEFAULT-VALUE}).")
    long dataSeed;

    @Option(names = "--batch-size", defaultValue = "32", description = "Rows per forward pass (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--max-length", defaultValue = "128", description = "Truncate texts to this many tokens (default: ${DEFAULT-VALUE}).")
    int maxLength;

    @Option(names = "--out", description = "Also write the JSON to this file (atomically).")
    Path out;

    @Override
    public Integer call() throws IOException {
        DatasetSpec spec = DatasetSpec.load(dataset);
        DatasetSplits splits = Datasets.prepare(spec, dataSeed);
        List<Example> examples = splits.split(split);
        if (examples.isEmpty()) {
            throw new IllegalArgumentException(dataset + ": the " + split + " split is empty");
        }
        Path modelDir = ModelArgument.resolve(model, "--model");
        Evaluator.Timed timed = new Evaluator(batchSize, maxLength, device.choose())
                .evaluateTimed(modelDir, splits.labels(), examples);
        ClassificationMetrics m = timed.metrics();
        Map<String, Object> context = new LinkedHashMap<>();
        context.put("model", modelDir.toAbsolutePath().normalize().toString());
        context.put("dataset", splits.name());
        context.put("split", split);
        context.putAll(timed.speed());
        String json = Evaluator.toJson(m, context);
        if (out != null) {
            Evaluator.writeAtomically(out, json);
        }
        System.out.print(json);
        return 0;
    }
}
