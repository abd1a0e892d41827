package io.mergelab.slurm;

import java.net.URI;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Picks the {@link SlurmClient} for an environment: slurmrestd when {@code SLURM_REST_URL} and a token
 * ({@code SLURM_JWT}, or {@code SLURM_JWT_COMMAND} printing one) are set and slurmrestd answers;
 * otherwise the command-line tools. {@code SLURM_USER} names the token's user (default {@code USER}).
 */
public final class SlurmClients {
    private SlurmClients() {}

    /**
     * @param warn receives one line when slurmrestd was configured but is unreachable and the CLI is used
     * @throws SlurmException.AuthenticationFailed when slurmrestd answers but refuses the token (no
     *         silent fallback: the user asked for REST and should fix the token)
     * @throws SlurmException.Unavailable when neither slurmrestd nor sbatch is usable
     */
    public static SlurmClient fromEnvironment(Map<String, String> env, Consumer<String> warn) {
        String url = blankToNull(env.get("SLURM_REST_URL"));
        String jwt = blankToNull(env.get("SLURM_JWT"));
        String jwtCommand = blankToNull(env.get("SLURM_JWT_COMMAND"));
        boolean cli = SlurmCliClient.available(env);
        if (url != null && (jwt != null || jwtCommand != null)) {
            String version = blankToNull(env.get("SLURM_REST_API_VERSION"));
            if (version != null && !version.equals(SlurmRestClient.API_VERSION)) {
                throw new SlurmException("SLURM_REST_API_VERSION=" + version + ": mergelab's REST client speaks "
                        + SlurmRestClient.API_VERSION + " only; unset SLURM_REST_URL to use sbatch");
            }
            String user = env.getOrDefault("SLURM_USER", env.getOrDefault("USER", System.getProperty("user.name")));
            TokenSource token = jwt != null ? TokenSource.fixed(jwt) : TokenSource.command(jwtCommand);
            SlurmRestClient rest = new SlurmRestClient(URI.create(url), user, token, env);
            try {
                rest.ping();
                return rest;
            } catch (SlurmException.Unavailable e) {
                if (!cli) {
                    throw new SlurmException.Unavailable(e.getMessage() + ", and sbatch is not on PATH", e);
                }
                warn.accept(e.getMessage() + "; falling back to sbatch/squeue/scontrol on PATH");
                // the tools authenticate with munge; keep the token out of the jobs' environment (--export=ALL)
                Map<String, String> cliEnv = new java.util.HashMap<>(env);
                cliEnv.remove("SLURM_JWT");
                return new SlurmCliClient(cliEnv);
            }
        }
        if (url != null) {
            warn.accept("SLURM_REST_URL is set but neither SLURM_JWT nor SLURM_JWT_COMMAND; using sbatch on PATH");
        }
        if (!cli) {
            throw new SlurmException.Unavailable("no Slurm access: set SLURM_REST_URL + SLURM_JWT for slurmrestd, "
                    + "or put sbatch on PATH (bin/slurm-local start brings up a local cluster)", null);
        }
        return new SlurmCliClient(env);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}
