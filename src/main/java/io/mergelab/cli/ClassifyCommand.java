package io.mergelab.cli;

import ai.djl.ndarray.NDManager;
import io.mergelab.model.checkpoint.CheckpointDir;
import io.mergelab.model.gpt2.Gpt2Checkpoints;
import io.mergelab.model.gpt2.Gpt2Checkpoints.LoadedClassifier;
import io.mergelab.model.gpt2.Gpt2Inference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "classify",
        description = {"Load a GPT-2 checkpoint as a sequence classifier and print logits for each text.",
            "A checkpoint without a classification head gets a new seeded one (--num-labels), as transformers does."},
        mixinStandardHelpOptions = true)
final class ClassifyCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    private PrintWriter out() {
        return spec.commandLine().getOut();
    }

    @Option(names = "--model", required = true, paramLabel = "DIR|ORG/NAME[@REV]",
            description = "Checkpoint directory, or a hub id from the Hugging Face cache.")
    String model;

    @Mixin
    DeviceOption device;

    @Option(names = "--num-labels", defaultValue = "0",
            description = "Labels for a new head when the checkpoint has none (default: the config's num_labels).")
    int numLabels;

    @Option(names = "--max-length", defaultValue = "128", description = "Truncate texts to this many tokens (default: ${DEFAULT-VALUE}).")
    int maxLength;

    @Option(names = "--seed", defaultValue = "42", description = "Seed for a new head (default: ${DEFAULT-VALUE}).")
    long seed;

    @Parameters(arity = "1..*", paramLabel = "TEXT", description = "Texts to classify.")
    List<String> texts;

    @Override
    public Integer call() {
        CheckpointDir dir = CheckpointDir.open(ModelArgument.resolve(model, "--model"));
        List<String> labels = numLabels > 0 ? Gpt2Checkpoints.defaultLabels(numLabels) : List.of();
        try (NDManager manager = NDManager.newBaseManager(device.choose());
                Gpt2Inference inference = Gpt2Inference.open(dir, manager, labels, seed)) {
            LoadedClassifier c = inference.classifier();
            float[][] logits = inference.classify(texts, maxLength);
            List<String> names = c.config().labelList();
            for (int i = 0; i < texts.size(); i++) {
                int best = argMax(logits[i]);
                StringBuilder sb = new StringBuilder();
                for (int j = 0; j < logits[i].length; j++) {
                    sb.append(String.format(Locale.ROOT, "%s%s=%.6f", j == 0 ? "" : "  ", names.get(j), logits[i][j]));
                }
                out().printf("%s  ->  %s   | %s%n", sb, names.get(best), texts.get(i));
            }
        }
        return 0;
    }

    static int argMax(float[] v) {
        int best = 0;
        for (int j = 1; j < v.length; j++) {
            if (v[j] > v[best]) {
                best = j;
            }
        }
        return best;
    }

}
