package io.mergelab.model.gpt2;

import java.nio.file.Files;
import java.nio.file.Path;

/** Paths to models and files the tests use; all relative to the Maven basedir (the repo root). */
final class TestModels {
    private TestModels() {}

    /**
     * Tolerance for logits of the same weights computed twice from different allocations: libtorch's CPU GEMM
     * takes alignment-dependent code paths, so bit-equality holds on some CPUs and not others (seen 2.4e-6 on CI).
     */
    static final float SAME_WEIGHTS_TOLERANCE = 1e-5f;

    /** The tiny real transformers checkpoint shipped with the tests (PROVENANCE.md beside it). */
    static Path fakeGpt2() {
        Path p = Path.of("src/test/resources/models/fake-gpt2").toAbsolutePath();
        if (!Files.isRegularFile(p.resolve("model.safetensors"))) {
            throw new IllegalStateException(p + " is missing: run the tests from the project root");
        }
        return p;
    }

    static Path tokenizerDir() {
        return Path.of("data/gpt2-tokenizer").toAbsolutePath();
    }
}
