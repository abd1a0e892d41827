package io.mergelab.cli;

import ai.djl.ndarray.NDManager;
import io.mergelab.model.checkpoint.CheckpointDir;
import io.mergelab.model.gpt2.Gpt2Checkpoints;
import io.mergelab.model.gpt2.Gpt2Factory;
import io.mergelab.model.gpt2.Gpt2Inference;
import io.mergelab.model.gpt2.ModelPreset;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Runs a study. Until the pipeline (issue #6) lands this runs the model smoke path of a config:
 * make the base model with the factory, load it as a classifier, classify a few shipped sentences.
 */
@Command(name = "run",
        description = {"Run an experiment config.",
            "Today: the model smoke path (factory base model → classifier → logits on shipped Yelp sentences);",
            "fine-tuning, merging and evaluation arrive with the pipeline."},
        mixinStandardHelpOptions = true)
final class RunCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    private PrintWriter out() {
        return spec.commandLine().getOut();
    }

    @Parameters(paramLabel = "CONFIG", description = "Experiment YAML, e.g. configs/quickstart.yaml.")
    Path config;

    @Override
    public Integer call() throws IOException {
        Map<String, Object> cfg = readYaml(config);
        String name = string(cfg, "name", "study");
        long seed = ((Number) cfg.getOrDefault("seed", 42)).longValue();
        Map<?, ?> base = cfg.get("base_model") instanceof Map<?, ?> m ? m : Map.of("preset", "tiny");
        ModelPreset preset = ModelPreset.parse(String.valueOf(base.containsKey("preset") ? base.get("preset") : "tiny"));
        Path studyDir = Paths.home().resolve("outputs").resolve(name);
        Path baseDir = studyDir.resolve("base-model-" + preset.id() + "-seed" + seed);

        if (Files.isRegularFile(baseDir.resolve("config.json"))) {
            out().println("[1/2] base model: " + baseDir + " (exists, reused)");
        } else {
            out().println("[1/2] base model: writing seeded " + preset.id() + " GPT-2 to " + baseDir);
            Gpt2Factory.writeCheckpoint(preset, seed, baseDir, Paths.tokenizerDir(), false);
        }

        List<String> texts = sampleSentences(Paths.home().resolve("data/uci-sentiment/yelp_labelled.txt"), 5);
        out().println("[2/2] classifying " + texts.size() + " Yelp sentences with a new, untrained 2-label head");
        try (NDManager manager = NDManager.newBaseManager();
                Gpt2Inference inference = Gpt2Inference.open(CheckpointDir.open(baseDir), manager,
                        Gpt2Checkpoints.defaultLabels(2), seed)) {
            float[][] logits = inference.classify(texts, 128);
            for (int i = 0; i < texts.size(); i++) {
                out().printf(Locale.ROOT, "  [% .5f, % .5f]  %s%n", logits[i][0], logits[i][1], texts.get(i));
            }
        }
        out().println("done. Fine-tuning, merging and evaluation come with the pipeline (issues #4-#6).");
        return 0;
    }

    private static Map<String, Object> readYaml(Path file) throws IOException {
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            Object doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(r);
            if (!(doc instanceof Map<?, ?> map)) {
                throw new IllegalArgumentException(file + ": expected a YAML mapping at the top level");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> typed = (Map<String, Object>) map;
            return typed;
        }
    }

    private static String string(Map<String, Object> cfg, String key, String fallback) {
        Object v = cfg.get(key);
        return v == null ? fallback : v.toString();
    }

    private static List<String> sampleSentences(Path tsv, int n) throws IOException {
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(tsv, StandardCharsets.UTF_8)) {
            int tab = line.lastIndexOf('\t');
            if (tab > 0) {
                out.add(line.substring(0, tab).strip());
            }
            if (out.size() == n) {
                break;
            }
        }
        return out;
    }
}
