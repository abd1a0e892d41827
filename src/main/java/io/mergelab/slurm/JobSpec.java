package io.mergelab.slurm;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A batch job to submit. Build with {@link #builder(String, String)}.
 *
 * @param script     the whole batch script, starting with {@code #!} (slurmrestd accepts a script without
 *                   one, but the job then fails with "Exec format error")
 * @param array      an sbatch array spec such as {@code 0-3} or {@code 0-9%2}; null for a plain job
 * @param afterOk    job ids this job waits for ({@code --dependency=afterok:a:b}); an array id waits for
 *                   all its tasks. If one fails this job stays PENDING with DependencyNeverSatisfied.
 * @param env        extra environment for the job. sbatch adds it to the submitting environment
 *                   ({@code --export=ALL}); over REST the job gets only PATH, HOME, USER, LANG, JAVA_HOME,
 *                   MERGELAB_HOME of the submitter plus these.
 * @param stdout     output path or pattern ({@code %A}, {@code %a}, {@code %j}); its directory must exist
 * @param requeue    allow {@code scontrol requeue} and requeue on node failure/preemption
 */
public record JobSpec(String name, String script, Path workDir, String array, List<String> afterOk,
        Map<String, String> env, String stdout, Resources resources, boolean requeue) {

    public JobSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(script, "script");
        if (!script.startsWith("#!")) {
            throw new IllegalArgumentException("job " + name + ": the script must start with #! (e.g. #!/bin/bash)");
        }
        if (name.isBlank() || name.chars().anyMatch(c -> Character.isWhitespace(c) || c == ',' || c == ';')) {
            throw new IllegalArgumentException("job name '" + name + "': no blanks, commas or semicolons");
        }
        afterOk = afterOk == null ? List.of() : List.copyOf(afterOk);
        env = env == null ? Map.of() : Map.copyOf(env);
        resources = resources == null ? Resources.NONE : resources;
        workDir = workDir == null ? null : workDir.toAbsolutePath().normalize();
    }

    /** The {@code --dependency} value, or null when there is none. */
    public String dependency() {
        return afterOk.isEmpty() ? null : "afterok:" + String.join(":", afterOk);
    }

    public static Builder builder(String name, String script) {
        return new Builder(name, script);
    }

    /** Mutable builder; {@link #build()} validates. */
    public static final class Builder {
        private final String name;
        private final String script;
        private Path workDir;
        private String array;
        private final List<String> afterOk = new ArrayList<>();
        private final Map<String, String> env = new LinkedHashMap<>();
        private String stdout;
        private Resources resources = Resources.NONE;
        private boolean requeue = true;

        private Builder(String name, String script) {
            this.name = name;
            this.script = script;
        }

        public Builder workDir(Path dir) {
            this.workDir = dir;
            return this;
        }

        public Builder array(String spec) {
            this.array = spec;
            return this;
        }

        /** Array of {@code n} tasks, indices 0..n-1. */
        public Builder array(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("job " + name + ": array size must be >= 1, got " + n);
            }
            this.array = "0-" + (n - 1);
            return this;
        }

        public Builder afterOk(String... jobIds) {
            afterOk.addAll(List.of(jobIds));
            return this;
        }

        public Builder afterOk(List<String> jobIds) {
            afterOk.addAll(jobIds);
            return this;
        }

        public Builder env(String key, String value) {
            env.put(key, value);
            return this;
        }

        public Builder env(Map<String, String> values) {
            env.putAll(values);
            return this;
        }

        public Builder stdout(String pathOrPattern) {
            this.stdout = pathOrPattern;
            return this;
        }

        public Builder resources(Resources r) {
            this.resources = r;
            return this;
        }

        public Builder requeue(boolean on) {
            this.requeue = on;
            return this;
        }

        public JobSpec build() {
            return new JobSpec(name, script, workDir, array, afterOk, env, stdout, resources, requeue);
        }
    }
}
