package io.mergelab.model.checkpoint;

import java.nio.file.Files;
import java.nio.file.Path;

/** The tiny real transformers checkpoint shipped with the tests (src/test/resources/models/fake-gpt2/PROVENANCE.md). */
final class FakeGpt2 {
    private FakeGpt2() {
    }

    static Path dir() {
        Path p = Path.of("src/test/resources/models/fake-gpt2");
        if (!Files.isRegularFile(p.resolve("config.json")) || !Files.isRegularFile(p.resolve("model.safetensors"))) {
            throw new IllegalStateException(p.toAbsolutePath() + " is missing: run the tests from the project root");
        }
        return p;
    }
}
