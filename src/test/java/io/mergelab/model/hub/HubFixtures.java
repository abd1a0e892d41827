package io.mergelab.model.hub;

import io.mergelab.model.checkpoint.CheckpointWriter;
import io.mergelab.model.checkpoint.DType;
import io.mergelab.model.checkpoint.Gpt2Config;
import io.mergelab.model.gpt2.Gpt2Factory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Small real GPT-2 checkpoints (factory weights, shipped tokenizer) as the byte maps a FakeHub serves. */
final class HubFixtures {
    static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";
    static final String COMMIT2 = "89abcdef0123456789abcdef0123456789abcdef";

    private HubFixtures() {
    }

    /** A 2-layer, 32-wide GPT-2 with a 1000-token vocabulary: a few hundred KB. */
    static Gpt2Config smallConfig() {
        return Gpt2Config.of(1000, 64, 32, 2, 2).withArchitecture("GPT2LMHeadModel");
    }

    static Path writeCheckpoint(Path dir, long maxShardBytes) {
        try {
            Gpt2Config config = smallConfig();
            return CheckpointWriter.write(dir, config, Gpt2Factory.weights(config, 7), DType.F32, maxShardBytes,
                    Path.of("data/gpt2-tokenizer"), false);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every file of a checkpoint directory, by name. */
    static Map<String, byte[]> filesOf(Path dir) {
        Map<String, byte[]> files = new TreeMap<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                files.put(p.getFileName().toString(), Files.readAllBytes(p));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }

    /** Settings for tests: a temp cache, the fake hub, fast retries. */
    static HubSettings settings(Path cache, FakeHub hub) {
        return new HubSettings(cache, hub.endpoint(), java.util.Optional.empty(), false, Duration.ofSeconds(5), 3,
                Duration.ofMillis(20));
    }
}
