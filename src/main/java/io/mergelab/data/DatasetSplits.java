package io.mergelab.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A prepared dataset: its label space and the train / validation / test examples (lists are immutable).
 * Validation or test may be empty only when the spec asked for none ({@code validation: 0}).
 */
public record DatasetSplits(String name, List<String> labels, List<Example> train, List<Example> validation,
                           List<Example> test) {
    public DatasetSplits {
        Objects.requireNonNull(name, "name");
        labels = List.copyOf(labels);
        train = List.copyOf(train);
        validation = List.copyOf(validation);
        test = List.copyOf(test);
    }

    public int numLabels() {
        return labels.size();
    }

    /** Examples of a split by name: train, validation (or val, dev, eval) or test. */
    public List<Example> split(String split) {
        return switch (split.toLowerCase(java.util.Locale.ROOT)) {
            case "train" -> train;
            case "validation", "val", "dev", "eval" -> validation;
            case "test" -> test;
            case "all" -> all();
            default -> throw new IllegalArgumentException("unknown split '" + split + "'; expected train, validation, test or all");
        };
    }

    /** train, then validation, then test. */
    public List<Example> all() {
        List<Example> all = new ArrayList<>(train.size() + validation.size() + test.size());
        all.addAll(train);
        all.addAll(validation);
        all.addAll(test);
        return List.copyOf(all);
    }

    /** Examples per label id in a list. */
    public int[] classCounts(List<Example> examples) {
        return Datasets.classCounts(examples, labels.size());
    }
}
