package io.mergelab.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the installation's shipped files are: bin/mergelab passes -Dmergelab.home. */
final class Paths {
    private Paths() {}

    static Path home() {
        String home = System.getProperty("mergelab.home");
        return Path.of(home != null ? home : ".").toAbsolutePath().normalize();
    }

    /** The GPT-2 tokenizer files shipped in data/, copied into every factory checkpoint. */
    static Path tokenizerDir() {
        Path dir = home().resolve("data/gpt2-tokenizer");
        if (!Files.isRegularFile(dir.resolve("tokenizer.json"))) {
            throw new IllegalStateException(dir + ": GPT-2 tokenizer files not found; run mergelab from its "
                    + "checkout (bin/mergelab) or set -Dmergelab.home");
        }
        return dir;
    }
}
