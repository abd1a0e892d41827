package io.mergelab.train;

import java.nio.file.Path;
import java.util.List;

/**
 * What to pre-train: a GPT-2 checkpoint dir to start from (with tokenizer.json), the documents of the corpus,
 * the fraction of documents held out for perplexity, and the output dir. With {@code overwrite} a finished or
 * interrupted run in {@code out} is discarded; without it an interrupted run is resumed and a finished one is
 * an error.
 */
public record PretrainJob(Path model, List<String> documents, double heldOutFraction, Path out, boolean overwrite) {

    public PretrainJob {
        documents = List.copyOf(documents);
        if (documents.size() < 2) {
            throw new IllegalArgumentException("pre-training needs at least 2 documents (one is held out), got "
                    + documents.size());
        }
        if (!(heldOutFraction > 0 && heldOutFraction < 1)) {
            throw new IllegalArgumentException("held-out fraction must be in (0, 1), got " + heldOutFraction);
        }
    }
}
