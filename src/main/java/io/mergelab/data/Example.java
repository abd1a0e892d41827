package io.mergelab.data;

import java.util.Objects;

/**
 * One labelled text, the unit every dataset reader produces and every trainer consumes.
 *
 * @param text  the model input (several columns may already have been joined by a template)
 * @param label index into the dataset's label list, 0-based
 */
public record Example(String text, int label) {
    public Example {
        Objects.requireNonNull(text, "text");
        if (label < 0) {
            throw new IllegalArgumentException("label index must be >= 0, got " + label);
        }
    }
}
