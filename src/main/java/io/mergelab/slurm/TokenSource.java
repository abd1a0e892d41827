package io.mergelab.slurm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Where the slurmrestd JWT comes from: a fixed string ({@code SLURM_JWT}) or a command that prints one
 * ({@code SLURM_JWT_COMMAND}, e.g. {@code scontrol token lifespan=3600}; output {@code SLURM_JWT=…},
 * {@code export SLURM_JWT=…} or the bare token). {@link #toString()} never shows the token.
 */
public interface TokenSource {

    String token();

    /** Forget a cached token (after an authentication failure); fixed tokens cannot refresh. */
    default boolean refresh() {
        return false;
    }

    static TokenSource fixed(String token) {
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException("SLURM_JWT is empty");
        }
        String t = token.strip();
        return new TokenSource() {
            @Override
            public String token() {
                return t;
            }

            @Override
            public String toString() {
                return "SLURM_JWT (fixed token)";
            }
        };
    }

    static TokenSource command(String command) {
        return new TokenSource() {
            private String cached;

            @Override
            public synchronized String token() {
                if (cached == null) {
                    cached = run(command);
                }
                return cached;
            }

            @Override
            public synchronized boolean refresh() {
                cached = null;
                return true;
            }

            @Override
            public String toString() {
                return "token command `" + command + "`";
            }
        };
    }

    private static String run(String command) {
        try {
            Process p = new ProcessBuilder("bash", "-c", command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new SlurmException.AuthenticationFailed("token command `" + command + "` failed (exit "
                        + (p.isAlive() ? "timeout" : p.exitValue()) + ")");
            }
            String last = out.lines().filter(l -> !l.isBlank()).reduce((a, b) -> b).orElse("").strip();
            if (last.startsWith("export ")) {
                last = last.substring(7).strip();
            }
            if (last.startsWith("SLURM_JWT=")) {
                last = last.substring("SLURM_JWT=".length());
            }
            if (last.isEmpty()) {
                throw new SlurmException.AuthenticationFailed("token command `" + command + "` printed no token");
            }
            return last;
        } catch (IOException e) {
            throw new SlurmException.AuthenticationFailed("token command `" + command + "` could not run: "
                    + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SlurmException("interrupted while running the token command", e);
        }
    }
}
