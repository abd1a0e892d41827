package io.mergelab.model.checkpoint;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/** The tiny real transformers checkpoint in shared/, when this checkout has it. */
final class FakeGpt2 {
    private FakeGpt2() {
    }

    static Path dirOrSkip() {
        Path p = Path.of("../shared/models/fake-gpt2");
        assumeTrue(Files.isRegularFile(p.resolve("config.json")) && Files.isRegularFile(p.resolve("model.safetensors")),
                "skipped: " + p.toAbsolutePath().normalize() + " is absent (shared/ not checked out beside the repo)");
        return p;
    }
}
