package io.mergelab.train;

import io.mergelab.data.Example;

import java.nio.file.Path;
import java.util.List;

/**
 * What to fine-tune: a GPT-2 checkpoint dir (with tokenizer.json), the label names, the splits, and the
 * output dir. {@code validation} may be empty when eval_strategy is "no"; {@code test} may be empty.
 * With {@code overwrite} a finished or interrupted run in {@code out} is discarded; without it an
 * interrupted run is resumed and a finished one is an error.
 */
public record FineTuneJob(Path model, List<String> labels, List<Example> train, List<Example> validation,
        List<Example> test, Path out, boolean overwrite) {

    public FineTuneJob {
        labels = List.copyOf(labels);
        train = List.copyOf(train);
        validation = List.copyOf(validation);
        test = List.copyOf(test);
        if (labels.size() < 2) {
            throw new IllegalArgumentException("fine-tuning needs at least 2 labels, got " + labels);
        }
        if (train.isEmpty()) {
            throw new IllegalArgumentException("fine-tuning needs training examples; the train split is empty");
        }
    }
}
