package io.mergelab.slurm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The real cluster the {@code @Tag("slurm")} tests use: the one {@code bin/slurm-local start} brought up.
 * Its env (SLURM_REST_URL, SLURM_JWT, SLURM_USER) comes from the process environment or, when
 * SLURM_REST_URL is not set there, from {@code .cache/slurm-local.env} which {@code start} writes.
 */
public final class LocalCluster {
    private LocalCluster() {}

    static final Path ENV_FILE = Path.of(".cache/slurm-local.env").toAbsolutePath();

    public static Map<String, String> env() {
        Map<String, String> env = new HashMap<>(System.getenv());
        if (env.get("SLURM_REST_URL") == null) {
            if (!Files.isRegularFile(ENV_FILE)) {
                throw new AssertionError("no Slurm cluster for the @Tag(\"slurm\") tests: SLURM_REST_URL is not set and "
                        + ENV_FILE + " does not exist; run bin/slurm-local start (or -DexcludedGroups=slurm)");
            }
            try {
                for (String line : Files.readAllLines(ENV_FILE)) {
                    String l = line.strip();
                    if (l.startsWith("export ")) {
                        l = l.substring(7);
                    }
                    int eq = l.indexOf('=');
                    if (eq > 0) {
                        env.put(l.substring(0, eq), l.substring(eq + 1));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return env;
    }

    static SlurmRestClient rest() {
        Map<String, String> env = env();
        return new SlurmRestClient(URI.create(env.get("SLURM_REST_URL")), env.get("SLURM_USER"),
                TokenSource.fixed(env.get("SLURM_JWT")), env);
    }

    /** The CLI client authenticates with munge, as a user's shell would (SLURM_JWT removed). */
    public static SlurmCliClient cli() {
        return new SlurmCliClient(cliEnv());
    }

    public static Map<String, String> cliEnv() {
        Map<String, String> env = new HashMap<>(env());
        env.remove("SLURM_JWT");
        return env;
    }

    static SlurmClient client(String kind) {
        return switch (kind) {
            case "rest" -> rest();
            case "cli" -> cli();
            default -> throw new IllegalArgumentException(kind);
        };
    }

    /** A fresh absolute directory under target/ that jobs on this node can write to. */
    static Path workDir(String name) {
        try {
            Path dir = Path.of("target/slurm-tests").toAbsolutePath()
                    .resolve(name + "-" + Long.toString(System.nanoTime(), 36));
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
