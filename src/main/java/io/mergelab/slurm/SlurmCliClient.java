package io.mergelab.slurm;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * {@link SlurmClient} over the Slurm command-line tools: {@code sbatch --parsable} (script on stdin),
 * {@code scontrol show job -o}, {@code scancel}, {@code scontrol requeue}, {@code squeue}. They
 * authenticate with munge (or with {@code SLURM_JWT} when that is in their environment).
 */
public final class SlurmCliClient implements SlurmClient {

    private static final Pattern FIELD_START = Pattern.compile("\\s+(?=[A-Za-z][A-Za-z0-9_:/]*=)");
    private static final long TIMEOUT_S = 60;

    private final Map<String, String> baseEnv;

    /** Uses this process's environment for the tools (and, through sbatch's --export=ALL, for jobs). */
    public SlurmCliClient() {
        this(System.getenv());
    }

    public SlurmCliClient(Map<String, String> env) {
        this.baseEnv = Map.copyOf(env);
    }

    /** True when sbatch is on the PATH of {@code env}. */
    public static boolean available(Map<String, String> env) {
        String path = env.getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
        for (String dir : path.split(":")) {
            if (!dir.isEmpty() && java.nio.file.Files.isExecutable(java.nio.file.Path.of(dir, "sbatch"))) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String describe() {
        return "sbatch/scontrol on PATH";
    }

    @Override
    public String submit(JobSpec job) {
        List<String> cmd = new ArrayList<>(List.of("sbatch", "--parsable", "--job-name=" + job.name()));
        if (job.workDir() != null) {
            cmd.add("--chdir=" + job.workDir());
        }
        if (job.stdout() != null) {
            cmd.add("--output=" + job.stdout());
        }
        if (job.array() != null) {
            cmd.add("--array=" + job.array());
        }
        if (job.dependency() != null) {
            cmd.add("--dependency=" + job.dependency());
        }
        cmd.add(job.requeue() ? "--requeue" : "--no-requeue");
        cmd.addAll(job.resources().sbatchOptions());
        Map<String, String> env = new HashMap<>(job.env());
        String out = run(cmd, env, job.script()).strip();
        // --parsable prints "id" or "id;cluster"
        String id = out.lines().reduce((a, b) -> b).orElse("").split(";", 2)[0].strip();
        if (!id.matches("\\d+")) {
            throw new SlurmException("sbatch (job " + job.name() + "): expected a job id, got '" + out + "'");
        }
        return id;
    }

    @Override
    public List<JobInfo> jobs(String jobId) {
        requireId(jobId);
        String out;
        try {
            out = run(List.of("scontrol", "show", "job", "-o", jobId), Map.of(), null);
        } catch (SlurmException e) {
            if (e.getMessage().contains("Invalid job id")) {
                throw new SlurmException.NoSuchJob("job " + jobId + ": slurmctld does not know it "
                        + "(never submitted, or finished longer ago than MinJobAge)");
            }
            throw e;
        }
        List<JobInfo> jobs = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (!line.isBlank()) {
                jobs.add(parseRecord(line.strip()));
            }
        }
        if (jobs.isEmpty()) {
            throw new SlurmException.NoSuchJob("job " + jobId + ": scontrol printed no record");
        }
        return jobs;
    }

    @Override
    public void cancel(String jobId) {
        requireId(jobId);
        run(List.of("scancel", jobId), Map.of(), null);
    }

    @Override
    public void requeue(String jobId) {
        requireId(jobId);
        run(List.of("scontrol", "requeue", jobId), Map.of(), null);
    }

    /** Job ids (array tasks as {@code A_i}) of the caller's queued/running jobs whose name starts with {@code prefix}. */
    public List<String> queued(String namePrefix) {
        String out = run(List.of("squeue", "-h", "--me", "-o", "%i %j"), Map.of(), null);
        List<String> ids = new ArrayList<>();
        for (String line : out.split("\n")) {
            String[] p = line.strip().split("\\s+", 2);
            if (p.length == 2 && p[1].startsWith(namePrefix)) {
                ids.add(p[0]);
            }
        }
        return ids;
    }

    private static void requireId(String jobId) {
        if (jobId == null || !jobId.matches("\\d+(_\\d+)?")) {
            throw new IllegalArgumentException("job id '" + jobId + "': expected digits (or ARRAY_TASK)");
        }
    }

    /** Parses one line of {@code scontrol show job -o}. */
    static JobInfo parseRecord(String line) {
        Map<String, String> f = new LinkedHashMap<>();
        for (String token : FIELD_START.split(line)) {
            int eq = token.indexOf('=');
            if (eq > 0) {
                f.putIfAbsent(token.substring(0, eq), token.substring(eq + 1));
            }
        }
        String arrayJob = f.get("ArrayJobId");
        String task = f.get("ArrayTaskId");
        Integer taskId = task != null && task.matches("\\d+") ? Integer.valueOf(task) : null;
        String dependency = f.getOrDefault("Dependency", "");
        if ("(null)".equals(dependency)) {
            dependency = "";
        }
        return new JobInfo(f.get("JobId"), arrayJob, arrayJob == null ? null : taskId, f.get("JobName"),
                JobState.parse(f.get("JobState")), f.getOrDefault("Reason", ""),
                ExitStatus.parse(f.get("ExitCode")), dependency, time(f.get("SubmitTime")),
                time(f.get("StartTime")), time(f.get("EndTime")), f.get("StdOut"),
                f.containsKey("Restarts") ? Integer.parseInt(f.get("Restarts")) : 0);
    }

    private static Instant time(String s) {
        if (s == null || s.isBlank() || "Unknown".equals(s) || "None".equals(s)) {
            return null;
        }
        try {
            return LocalDateTime.parse(s).atZone(ZoneId.systemDefault()).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private String run(List<String> cmd, Map<String, String> extraEnv, String stdin) {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().clear();
        pb.environment().putAll(baseEnv);
        pb.environment().putAll(extraEnv);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new SlurmException.Unavailable(cmd.get(0) + " could not be started (" + e.getMessage()
                    + "); is Slurm's client installed and on PATH?", e);
        }
        CompletableFuture<String> out = slurp(p.getInputStream());
        CompletableFuture<String> err = slurp(p.getErrorStream());
        try (OutputStream in = p.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            // the tool exited early; its stderr says why
        }
        try {
            if (!p.waitFor(TIMEOUT_S, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new SlurmException.Unavailable(String.join(" ", cmd) + ": no answer in " + TIMEOUT_S
                        + " s (is slurmctld up? `scontrol ping`)", null);
            }
            String stderr = err.join().strip();
            if (p.exitValue() != 0) {
                String first = stderr.isEmpty() ? "exit status " + p.exitValue() : stderr.lines().reduce((a, b) -> b).get();
                throw new SlurmException(String.join(" ", cmd.subList(0, Math.min(3, cmd.size()))) + ": " + first);
            }
            return out.join();
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new SlurmException("interrupted while running " + cmd.get(0), e);
        }
    }

    private static CompletableFuture<String> slurp(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try (in) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "";
            }
        });
    }
}
