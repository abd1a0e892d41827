package io.mergelab.slurm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mergelab.slurm.rest.ApiClient;
import io.mergelab.slurm.rest.ApiException;
import io.mergelab.slurm.rest.api.SlurmApi;
import io.mergelab.slurm.rest.model.V0038Error;
import io.mergelab.slurm.rest.model.V0038JobProperties;
import io.mergelab.slurm.rest.model.V0038JobResponseProperties;
import io.mergelab.slurm.rest.model.V0038JobSubmission;
import io.mergelab.slurm.rest.model.V0038JobSubmissionResponse;
import io.mergelab.slurm.rest.model.V0038JobsResponse;
import io.mergelab.slurm.rest.model.V0038Pings;

import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * {@link SlurmClient} over slurmrestd's REST API (openapi/v0.0.38, Slurm 22.05), using the client
 * generated at build time from {@code src/main/openapi/}. Every request carries
 * {@code X-SLURM-USER-NAME} / {@code X-SLURM-USER-TOKEN}, goes over HTTP/1.1 (slurmrestd answers an
 * HTTP/2 upgrade with 405) and asks for {@code Accept: application/json} only (else it may answer YAML).
 * v0.0.38 has no requeue endpoint: {@link #requeue} runs {@code scontrol requeue} when it is on PATH.
 */
public final class SlurmRestClient implements SlurmClient {

    /** The only API version the generated client speaks. */
    public static final String API_VERSION = "v0.0.38";

    /** Submitter variables a REST job gets (slurmrestd jobs start with only what the request sends). */
    static final List<String> INHERITED_ENV = List.of("PATH", "HOME", "USER", "LANG", "JAVA_HOME", "MERGELAB_HOME");

    private final URI baseUrl;
    private final String user;
    private final TokenSource token;
    private final Map<String, String> submitterEnv;
    private final SlurmApi api;
    private final ObjectMapper json = new ObjectMapper();

    /**
     * @param baseUrl       e.g. {@code http://127.0.0.1:6820} (no /slurm/v0.0.38 suffix)
     * @param user          the Slurm user the token belongs to ({@code SLURM_USER})
     * @param submitterEnv  where PATH, HOME, … for jobs come from (usually {@code System.getenv()})
     */
    public SlurmRestClient(URI baseUrl, String user, TokenSource token, Map<String, String> submitterEnv) {
        this.baseUrl = Objects.requireNonNull(baseUrl, "baseUrl");
        this.user = Objects.requireNonNull(user, "user");
        this.token = Objects.requireNonNull(token, "token");
        this.submitterEnv = Map.copyOf(submitterEnv);
        if (baseUrl.getScheme() == null || baseUrl.getHost() == null) {
            throw new IllegalArgumentException("SLURM_REST_URL '" + baseUrl + "': expected http://HOST:PORT");
        }
        String base = baseUrl.toString().replaceAll("/+$", "");
        ApiClient client = new ApiClient(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)), ApiClient.createDefaultObjectMapper(), base);
        client.setReadTimeout(Duration.ofSeconds(60));
        client.setRequestInterceptor(b -> b.setHeader("Accept", "application/json")
                .setHeader("X-SLURM-USER-NAME", user)
                .setHeader("X-SLURM-USER-TOKEN", token.token()));
        this.api = new SlurmApi(client);
    }

    @Override
    public String describe() {
        return "slurmrestd at " + baseUrl + " (user " + user + ")";
    }

    /** Checks that slurmrestd answers and accepts the token; returns slurmctld's ping line. */
    public String ping() {
        V0038Pings pings = call("ping", () -> api.slurmV0038Ping());
        failOnErrors("ping", pings.getErrors());
        return pings.getPings() == null || pings.getPings().isEmpty() ? "no controller"
                : pings.getPings().get(0).getHostname() + " " + pings.getPings().get(0).getPing();
    }

    @Override
    public String submit(JobSpec job) {
        if (!job.resources().extra().isEmpty()) {
            throw new SlurmException("job " + job.name() + ": extra sbatch lines " + job.resources().extra()
                    + " cannot be sent through slurmrestd; unset SLURM_REST_URL to submit with sbatch");
        }
        Resources r = job.resources();
        V0038JobProperties p = new V0038JobProperties();
        p.setName(job.name());
        Path cwd = job.workDir() != null ? job.workDir() : Path.of("").toAbsolutePath();
        p.setCurrentWorkingDirectory(cwd.toString());
        p.setStandardOutput(job.stdout());
        p.setArray(job.array());
        p.setDependency(job.dependency());
        p.setRequeue(job.requeue());
        p.setPartition(r.partition());
        p.setAccount(r.account());
        p.setQos(r.qos());
        p.setTimeLimit(r.time() == null ? null : Resources.timeMinutes(r.time()));
        p.setMemoryPerNode(r.mem() == null ? null : Math.toIntExact(Resources.memMegabytes(r.mem())));
        p.setCpusPerTask(r.cpusPerTask());
        p.setGpus(r.gpus());
        p.setConstraints(r.constraint());
        Map<String, String> env = new LinkedHashMap<>();
        for (String k : INHERITED_ENV) {
            if (submitterEnv.get(k) != null) {
                env.put(k, submitterEnv.get(k));
            }
        }
        env.putIfAbsent("PATH", "/usr/local/bin:/usr/bin:/bin");
        env.putAll(job.env());
        p.setEnvironment(env);
        // never set argv: a non-empty argv crashes slurmrestd 22.05
        V0038JobSubmission body = new V0038JobSubmission().script(job.script()).job(p);
        V0038JobSubmissionResponse resp = call("submit of job " + job.name(), () -> api.slurmV0038SubmitJob(body));
        failOnErrors("submit of job " + job.name(), resp.getErrors());
        if (resp.getJobId() == null) {
            throw new SlurmException(describe() + ": submit of job " + job.name() + " returned no job id");
        }
        return resp.getJobId().toString();
    }

    @Override
    public List<JobInfo> jobs(String jobId) {
        V0038JobsResponse resp = call("job " + jobId, () -> api.slurmV0038GetJob(jobId));
        failOnErrors("job " + jobId, resp.getErrors());
        List<JobInfo> out = new ArrayList<>();
        if (resp.getJobs() != null) {
            for (V0038JobResponseProperties j : resp.getJobs()) {
                out.add(toInfo(j));
            }
        }
        if (out.isEmpty()) {
            throw new SlurmException.NoSuchJob("job " + jobId + ": slurmrestd returned no record");
        }
        return out;
    }

    @Override
    public void cancel(String jobId) {
        call("cancel of job " + jobId, () -> {
            api.slurmV0038CancelJob(jobId, null);
            return null;
        });
    }

    @Override
    public void requeue(String jobId) {
        if (!SlurmCliClient.available(submitterEnv)) {
            throw new SlurmException("requeue of job " + jobId + ": slurmrestd " + API_VERSION
                    + " has no requeue endpoint and scontrol is not on PATH");
        }
        new SlurmCliClient(submitterEnv).requeue(jobId);
    }

    static JobInfo toInfo(V0038JobResponseProperties j) {
        Integer arrayJob = j.getArrayJobId();
        boolean isArray = arrayJob != null && arrayJob != 0;
        return new JobInfo(String.valueOf(j.getJobId()), isArray ? arrayJob.toString() : null,
                isArray ? j.getArrayTaskId() : null, j.getName(), JobState.parse(j.getJobState()),
                j.getStateReason() == null ? "" : j.getStateReason(),
                j.getExitCode() == null ? ExitStatus.NONE : ExitStatus.fromWaitStatus(j.getExitCode()),
                j.getDependency() == null ? "" : j.getDependency(), time(j.getSubmitTime()),
                time(j.getStartTime()), time(j.getEndTime()), j.getStandardOutput(),
                j.getRestartCnt() == null ? 0 : j.getRestartCnt());
    }

    private static Instant time(Long epochSeconds) {
        return epochSeconds == null || epochSeconds == 0 ? null : Instant.ofEpochSecond(epochSeconds);
    }

    @FunctionalInterface
    private interface Call<T> {
        T run() throws ApiException;
    }

    /** Runs a request; retries once with a fresh token when a token command is in use. */
    private <T> T call(String what, Call<T> c) {
        try {
            return c.run();
        } catch (ApiException e) {
            SlurmException failure = translate(what, e);
            if (failure instanceof SlurmException.AuthenticationFailed && token.refresh()) {
                try {
                    return c.run();
                } catch (ApiException again) {
                    throw translate(what, again);
                }
            }
            throw failure;
        }
    }

    private SlurmException translate(String what, ApiException e) {
        String where = "slurmrestd at " + baseUrl;
        if (e.getCode() == 0) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            String why = cause.getClass().getSimpleName()
                    + (cause.getMessage() == null ? "" : ": " + redact(cause.getMessage()));
            return new SlurmException.Unavailable(where + " is not reachable (" + why + ")", null);
        }
        String body = e.getResponseBody() == null ? "" : e.getResponseBody();
        String errors = describeErrors(body);
        if (e.getCode() == 401) {
            return new SlurmException.AuthenticationFailed(where + " refused " + what
                    + ": authentication failure (HTTP 401: the user/token headers were missing or malformed)");
        }
        String compact = body.replaceAll("\\s+", "");
        if (e.getCode() == 500 && (compact.contains("slurm_load_ctl_conf") || compact.contains("\"error_code\":5005"))) {
            // slurmrestd 22.05 answers a bad, expired or foreign JWT with this 500 instead of 401
            return new SlurmException.AuthenticationFailed(where + " rejected the JWT for user '" + user
                    + "' (" + token + ") on " + what + ": HTTP 500 '" + errors + "'; the token is invalid, "
                    + "expired, or belongs to another user. Get a fresh one with `scontrol token` "
                    + "(bin/slurm-local start prints one)");
        }
        if (body.contains("Invalid job id")) {
            return new SlurmException.NoSuchJob(redact(what + ": slurmctld does not know it (" + errors + ")"));
        }
        return new SlurmException(redact(where + ": " + what + " failed: HTTP " + e.getCode()
                + (errors.isEmpty() ? "" : " " + errors)));
    }

    private void failOnErrors(String what, List<V0038Error> errors) {
        if (errors != null && !errors.isEmpty()) {
            StringBuilder sb = new StringBuilder();
            for (V0038Error err : errors) {
                sb.append(sb.length() == 0 ? "" : "; ").append(err.getError()).append(" (")
                        .append(err.getErrorNumber()).append(')');
            }
            throw new SlurmException(redact("slurmrestd at " + baseUrl + ": " + what + " failed: " + sb));
        }
    }

    /** "Invalid partition name specified (2000)" from the {meta, errors} body slurmrestd sends on errors. */
    private String describeErrors(String body) {
        try {
            JsonNode root = json.readTree(body);
            JsonNode errs = root.isArray() ? root : root.path("errors");
            StringBuilder sb = new StringBuilder();
            for (JsonNode err : errs) {
                String text = err.hasNonNull("description") ? err.get("description").asText() : err.path("error").asText();
                JsonNode num = err.hasNonNull("error_number") ? err.get("error_number") : err.get("error_code");
                sb.append(sb.length() == 0 ? "" : "; ").append(text);
                if (num != null) {
                    sb.append(" (").append(num.asText()).append(')');
                }
            }
            return sb.toString();
        } catch (Exception notJson) {
            String plain = body.strip();
            return plain.length() > 200 ? plain.substring(0, 200) + "…" : plain;
        }
    }

    /** Belt and braces: no message from this client may contain the token. */
    private String redact(String message) {
        if (message == null) {
            return null;
        }
        String t;
        try {
            t = token.token();
        } catch (RuntimeException e) {
            return message;
        }
        return t == null || t.isEmpty() ? message : message.replace(t, "<redacted token>");
    }
}
