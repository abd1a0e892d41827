package io.mergelab.pipeline;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What a study recorded about a model it fine-tuned: the checkpoint is {@code <step>/model} and the step's
 * {@code _step.json} names its data step, whose record names the dataset. Lets a merge's per-task head (which
 * records only its source model's path) be matched to its dataset after the study.
 */
public final class StudyProvenance {
    private StudyProvenance() {
    }

    /** The dataset a study fine-tuned {@code modelDir} on; empty when it is not a study's fine-tuned model. */
    public static Optional<String> datasetOf(Path modelDir) {
        if (modelDir == null || modelDir.getParent() == null || modelDir.getParent().getParent() == null) {
            return Optional.empty();
        }
        Path stepDir = modelDir.getParent();
        JsonNode step = record(stepDir);
        if (!"finetune".equals(step.path("kind").asText())) {
            return Optional.empty();
        }
        for (JsonNode dep : step.path("deps")) {
            JsonNode data = record(stepDir.getParent().resolve(dep.asText()));
            if ("data".equals(data.path("kind").asText()) && data.path("meta").path("dataset").isTextual()) {
                return Optional.of(data.path("meta").path("dataset").asText());
            }
        }
        return Optional.empty();
    }

    /** A step's record, or an empty node when there is none (a model moved or not made by a study). */
    private static JsonNode record(Path stepDir) {
        Path file = stepDir.resolve(StepStore.STEP);
        if (!Files.isRegularFile(file)) {
            return Canonical.json().createObjectNode();
        }
        try {
            return Canonical.json().readTree(file.toFile());
        } catch (IOException e) {
            return Canonical.json().createObjectNode(); // unreadable provenance: match by name or labels instead
        }
    }
}
