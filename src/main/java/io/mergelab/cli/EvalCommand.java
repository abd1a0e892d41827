package io.mergelab.cli;

import io.mergelab.data.DatasetSpec;
import io.mergelab.data.DatasetSplits;
import io.mergelab.data.Datasets;
import io.mergelab.data.Example;
import io.mergelab.eval.ClassificationMetrics;
import io.mergelab.eval.Evaluator;
import io.mergelab.merge.HeadSwap;
import io.mergelab.merge.MergedHead;
import io.mergelab.model.checkpoint.AtomicFiles;
import io.mergelab.pipeline.StudyProvenance;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "eval",
        description = {"Evaluate a fine-tuned GPT-2 classifier on a split of a dataset spec.",
            "Prints JSON: accuracy, macro/weighted F1, per-class precision/recall/F1, confusion matrix,",
            "mean cross-entropy and expected calibration error (15 bins).",
            "A merge with per-task heads (heads/<name>/) is scored with the dataset's own head (see --head)."},
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

    @Option(names = "--head", paramLabel = "NAME",
            description = "For a merge with per-task heads: score with heads/NAME. Default: the head of the dataset "
                    + "(recorded by the study that fine-tuned its model, or named after it, e.g. yelp or yelp_0, or "
                    + "the only one with its labels); an error lists the heads when none matches.")
    String head;

    @Override
    public Integer call() throws IOException {
        DatasetSpec spec = DatasetSpec.load(dataset);
        DatasetSplits splits = Datasets.prepare(spec, dataSeed);
        List<Example> examples = splits.split(split);
        if (examples.isEmpty()) {
            throw new IllegalArgumentException(dataset + ": the " + split + " split is empty");
        }
        Path modelDir = ModelArgument.resolve(model, "--model");
        HeadChoice.Chosen chosen = chooseHead(modelDir, splits);
        Evaluator.Timed timed;
        if (chosen == null) {
            timed = evaluator().evaluateTimed(modelDir, splits.labels(), examples);
        } else {
            System.err.println(chosen.line());
            Path composed = Files.createTempDirectory("mergelab-eval-head-");
            try {
                HeadSwap.compose(modelDir, chosen.head(), composed);
                timed = evaluator().evaluateTimed(composed, splits.labels(), examples);
            } finally {
                AtomicFiles.deleteRecursively(composed); // a full copy of the weights: not worth keeping
            }
        }
        ClassificationMetrics m = timed.metrics();
        Map<String, Object> context = new LinkedHashMap<>();
        context.put("model", modelDir.toAbsolutePath().normalize().toString());
        if (chosen != null) {
            context.put("head", MergedHead.DIR + "/" + chosen.head().name());
        }
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

    private Evaluator evaluator() {
        return new Evaluator(batchSize, maxLength, device.choose());
    }

    /** The per-task head to score with, or null for a checkpoint with one head (its own score.weight). */
    private HeadChoice.Chosen chooseHead(Path modelDir, DatasetSplits splits) throws IOException {
        List<MergedHead> heads = MergedHead.listIn(modelDir);
        if (heads.isEmpty()) {
            if (head != null) {
                throw new IllegalArgumentException("--head " + head + ": " + modelDir + " has no per-task heads ("
                        + MergedHead.DIR + "/); it is scored with its own score.weight, so drop --head");
            }
            return null;
        }
        List<String> names = new ArrayList<>(List.of(splits.name()));
        String stem = dataset.getFileName().toString().replaceFirst("\\.ya?ml$", "");
        if (!names.contains(stem)) {
            names.add(stem);
        }
        return new HeadChoice(modelDir, names, splits.labels(),
                h -> StudyProvenance.datasetOf(h.sourcePath() != null ? h.sourcePath() : Path.of(h.sourceModel())))
                .choose(heads, head);
    }
}
