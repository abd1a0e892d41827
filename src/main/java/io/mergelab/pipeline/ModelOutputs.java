package io.mergelab.pipeline;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where a model-producing step's checkpoint is: {@code model/} inside its output, or, for a base model that
 * already exists elsewhere, the path recorded in {@code model.json}.
 */
final class ModelOutputs {
    private ModelOutputs() {
    }

    static Path modelDir(Path stepOutput) throws IOException {
        Path pointer = stepOutput.resolve("model.json");
        if (Files.isRegularFile(pointer)) {
            JsonNode n = Canonical.json().readTree(pointer.toFile());
            return Path.of(n.get("path").asText());
        }
        return stepOutput.resolve("model");
    }

    static void writePointer(Path workDir, Path model) throws IOException {
        Files.writeString(workDir.resolve("model.json"), Canonical.json().writeValueAsString(
                Map.of("path", model.toAbsolutePath().normalize().toString())));
    }
}
