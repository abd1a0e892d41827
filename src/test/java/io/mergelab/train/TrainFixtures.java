package io.mergelab.train;

import io.mergelab.data.Example;
import io.mergelab.model.gpt2.Gpt2Factory;
import io.mergelab.model.gpt2.ModelPreset;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Shipped data and factory checkpoints for the training tests (paths relative to the repo root). */
final class TrainFixtures {
    private TrainFixtures() {}

    static final List<String> BINARY = List.of("negative", "positive");

    /** data/uci-sentiment/yelp_labelled.txt: 1000 "text TAB label" lines, 500 per class. */
    static List<Example> yelp() throws IOException {
        List<Example> out = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("data/uci-sentiment/yelp_labelled.txt"))) {
            int tab = line.lastIndexOf('\t');
            if (tab > 0) {
                out.add(new Example(line.substring(0, tab).trim(), Integer.parseInt(line.substring(tab + 1).trim())));
            }
        }
        return out;
    }

    /** A fixed seeded split: [train, validation, test] = 800 / 100 / 100. */
    static List<List<Example>> yelpSplits() throws IOException {
        List<Example> all = yelp();
        int[] p = EpochOrder.permutation(all.size(), 7, 0);
        List<Example> shuffled = new ArrayList<>();
        for (int i : p) {
            shuffled.add(all.get(i));
        }
        return List.of(shuffled.subList(0, 800), shuffled.subList(800, 900), shuffled.subList(900, 1000));
    }

    /** A seeded factory checkpoint with the GPT-2 tokenizer, written once per directory. */
    static Path model(ModelPreset preset, Path dir) throws IOException {
        Path out = dir.resolve(preset.id() + "-model");
        if (!Files.exists(out)) {
            Gpt2Factory.writeCheckpoint(preset, 1234L, out, Path.of("data/gpt2-tokenizer").toAbsolutePath(), false);
        }
        return out;
    }

    static Path tmpRoot() throws IOException {
        Path p = Path.of("target/tmp/train-tests").toAbsolutePath();
        Files.createDirectories(p);
        return p;
    }
}
