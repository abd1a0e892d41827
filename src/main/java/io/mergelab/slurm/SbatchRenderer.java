package io.mergelab.slurm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Writes a study's stages as readable sbatch scripts a researcher can edit and submit by hand, plus a
 * {@code submit.sh} that submits them in order chained with {@code --dependency=afterok:}.
 *
 * <p>Every stage is a job array (a single task is {@code --array=0-0}), so logs are always
 * {@code outputs/<study>/logs/<stage>-%A_%a.out}; jobs are {@code --requeue}-able and append to their
 * log, so a requeued task's log keeps the earlier attempt. Each task writes
 * {@code <recordDir>/slurm-job.properties} (job_id, array_job_id, array_task_id, restart_count, node,
 * log) before its commands run.
 *
 * <p>In a batch job {@code $0} is a copy in slurmd's spool directory, so scripts cannot find the
 * checkout from their own path: the checkout's absolute path ({@code home}) is written into them at
 * render time ({@code MERGELAB_HOME}, overridable from the environment). Re-render after moving it.
 */
public final class SbatchRenderer {

    /** Name of the file each task writes into its step directory. */
    public static final String JOB_RECORD = "slurm-job.properties";

    private final Path home;

    /** @param home the checkout root the jobs run in (where bin/mergelab is); made absolute */
    public SbatchRenderer(Path home) {
        this.home = home.toAbsolutePath().normalize();
    }

    /** {@code outputs/<study>/slurm} under the study directory. */
    public static Path slurmDir(Path studyDir) {
        return studyDir.resolve("slurm");
    }

    public static Path logsDir(Path studyDir) {
        return studyDir.resolve("logs");
    }

    /**
     * Renders all stages into {@code <studyDir>/slurm/} (replaced as a whole: temp dir + rename) and
     * creates {@code <studyDir>/logs/}. Stages must be listed parents-first.
     */
    public RenderedScripts render(String study, Path studyDir, List<SlurmStage> stages, SlurmSettings settings)
            throws IOException {
        validateOrder(stages);
        Path dir = slurmDir(studyDir.toAbsolutePath().normalize());
        Path logs = logsDir(studyDir.toAbsolutePath().normalize());
        Files.createDirectories(logs);
        Files.createDirectories(dir.getParent());
        Path tmp = Files.createTempDirectory(dir.getParent(), ".slurm-render-");
        Map<String, Path> scripts = new LinkedHashMap<>();
        try {
            for (SlurmStage stage : stages) {
                String text = stageScript(study, studyDir, stage, settings.forStage(stage.name()));
                writeExecutable(tmp.resolve(stage.name() + ".sbatch"), text);
                scripts.put(stage.name(), dir.resolve(stage.name() + ".sbatch"));
            }
            writeExecutable(tmp.resolve("submit.sh"), submitScript(study, studyDir, stages));
            replaceDir(tmp, dir);
        } finally {
            deleteTree(tmp);
        }
        return new RenderedScripts(dir, scripts, dir.resolve("submit.sh"), logs);
    }

    /**
     * The job to submit for one stage through a {@link SlurmClient} (what the Slurm executor does
     * instead of running submit.sh): same script text as the rendered file, resources as job fields.
     *
     * @param afterOkJobIds the afterok ids ({@link SlurmStage#afterOkIds}) of the stage's parents, already submitted
     */
    public JobSpec jobSpec(String study, Path studyDir, SlurmStage stage, SlurmSettings settings,
            List<String> afterOkJobIds) {
        Resources r = settings.forStage(stage.name());
        Path abs = studyDir.toAbsolutePath().normalize();
        return JobSpec.builder(jobName(study, stage), stageScript(study, studyDir, stage, r))
                .workDir(home)
                .array(stage.arraySpec())
                .afterOk(afterOkJobIds)
                .stdout(logsDir(abs).resolve(stage.name() + "-%A_%a.out").toString())
                .env("MERGELAB_HOME", home.toString())
                .resources(r)
                .requeue(true)
                .build();
    }

    public static String jobName(String study, SlurmStage stage) {
        return study + "-" + stage.name();
    }

    /** The text of {@code <stage>.sbatch}. */
    public String stageScript(String study, Path studyDir, SlurmStage stage, Resources resources) {
        Path abs = studyDir.toAbsolutePath().normalize();
        Path log = logsDir(abs).resolve(stage.name() + "-%A_%a.out");
        StringBuilder s = new StringBuilder();
        s.append("#!/bin/bash\n");
        s.append("# mergelab study '").append(study).append("', stage '").append(stage.name()).append("': ")
                .append(stage.tasks().size()).append(stage.tasks().size() == 1 ? " task" : " tasks")
                .append(" (array indices ").append(stage.arraySpec()).append(")")
                .append(stage.after().isEmpty() ? "" : ", after " + stage.describeAfter())
                .append(".\n");
        s.append("# Written by `mergelab slurm render`. Edit the #SBATCH lines as you need, then submit every\n");
        s.append("# stage in order with ").append(slurmDir(abs).resolve("submit.sh"))
                .append(", or this one alone with `sbatch ").append(stage.name()).append(".sbatch`.\n");
        s.append("# Resources come from ").append(SlurmSettings.STAGE_DEFAULTS)
                .append(" under the config's executor.slurm section (and executor.slurm.stages.")
                .append(stage.name()).append(").\n");
        s.append("#SBATCH --job-name=").append(jobName(study, stage)).append('\n');
        s.append("#SBATCH --array=").append(stage.arraySpec()).append('\n');
        s.append("#SBATCH --chdir=").append(home).append('\n');
        s.append("#SBATCH --output=").append(log).append('\n');
        s.append("#SBATCH --open-mode=append   # a requeued task appends to its log\n");
        s.append("#SBATCH --requeue            # preempted / node-failed / `scontrol requeue`d jobs run again\n");
        for (String opt : resources.sbatchOptions()) {
            s.append("#SBATCH ").append(opt).append('\n');
        }
        s.append("set -euo pipefail\n\n");
        s.append("# In a batch job $0 is a spool copy of this file, so the checkout is recorded here at render time.\n");
        s.append("export MERGELAB_HOME=\"${MERGELAB_HOME:-").append(home).append("}\"\n");
        s.append("cd \"$MERGELAB_HOME\"\n");
        s.append("# The JVM heap: half the job's memory (libtorch's tensors live outside it) unless MERGELAB_JAVA_OPTS\n");
        s.append("# says otherwise; never the launcher's 8 GB default in a job granted less.\n");
        s.append("if [ -z \"${MERGELAB_JAVA_OPTS:-}\" ] && [ -n \"${SLURM_MEM_PER_NODE:-}\" ]; then\n");
        s.append("  export MERGELAB_JAVA_OPTS=\"-Xmx$(( SLURM_MEM_PER_NODE / 2 ))m\"\n");
        s.append("fi\n");
        s.append("task=\"${SLURM_ARRAY_TASK_ID:-0}\"\n");
        s.append("log=").append(quote(logsDir(abs).toString())).append("/").append(stage.name())
                .append("-\"${SLURM_ARRAY_JOB_ID:-${SLURM_JOB_ID:-local}}_${task}.out\"\n");
        s.append("echo \"[mergelab] ").append(study).append('/').append(stage.name())
                .append(" task $task: job ${SLURM_JOB_ID:-none} (array ${SLURM_ARRAY_JOB_ID:-none}) on $(hostname),")
                .append(" restart ${SLURM_RESTART_COUNT:-0}, $(date -Is)\"\n\n");
        Integer stopAfter;
        try {
            stopAfter = resources.stopSignalDelaySeconds("executor.slurm");
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("stage " + stage.name() + ": " + e.getMessage(), e);
        }
        if (stopAfter != null) {
            int requeues = resources.maxRequeues() == null ? 0 : resources.maxRequeues();
            s.append("# executor.slurm.stop_before_limit: ").append(resources.stopBeforeLimit()).append(" s before its ")
                    .append(resources.time()).append(" limit this shell asks its task to stop (SIGTERM),\n");
            s.append("# as sbatch's --signal=B:TERM@").append(resources.stopBeforeLimit())
                    .append(" would (slurmrestd refuses the B: form). The task runs as a child of this shell:\n");
            s.append("# a fine-tune writes a resume checkpoint and exits 143; then this shell ");
            if (requeues > 0) {
                s.append("requeues the job (executor.slurm.max_requeues:\n# ").append(requeues)
                        .append(", counted by SLURM_RESTART_COUNT) so that it resumes with a fresh time limit, after"
                                + " which `mergelab retry`\n# continues it.");
            } else {
                s.append("ends (executor.slurm.max_requeues: 0) and\n# `mergelab retry` continues it.");
            }
            s.append(" A SIGTERM from Slurm itself (scancel, preemption, the limit) is passed on\n");
            s.append("# and never requeues.\n");
            s.append("child=\"\"\n");
            s.append("stopping=0\n");
            s.append("trap 'stopping=1; [ -z \"$child\" ] || kill -TERM \"$child\" 2>/dev/null || true' USR1\n");
            s.append("trap '[ -z \"$child\" ] || kill -TERM \"$child\" 2>/dev/null || true' TERM\n");
            s.append("( sleep ").append(stopAfter).append(" && kill -USR1 $$ 2>/dev/null ) &\n");
            s.append("# finish_task PID: waits for the task, then exits with its status, or requeues the job when it was\n");
            s.append("# stopped before the limit.\n");
            s.append("finish_task() {\n");
            s.append("  child=$1\n");
            s.append("  local rc\n");
            s.append("  while :; do\n");
            s.append("    rc=0; wait \"$child\" || rc=$?\n");
            s.append("    kill -0 \"$child\" 2>/dev/null || break # a trap ends wait early; the task may still run\n");
            s.append("  done\n");
            s.append("  child=\"\"\n");
            s.append("  if [ \"$stopping\" = 1 ] && [ \"$rc\" != 0 ]; then\n");
            s.append("    local restarts=\"${SLURM_RESTART_COUNT:-0}\"\n");
            s.append("    if [ -n \"${SLURM_JOB_ID:-}\" ] && [ \"$restarts\" -lt ").append(requeues).append(" ]; then\n");
            s.append("      echo \"[mergelab] stopped ").append(resources.stopBeforeLimit())
                    .append(" s before the time limit (exit $rc): requeueing job $SLURM_JOB_ID, restart $((restarts + 1))"
                            + " of ").append(requeues).append("\"\n");
            s.append("      scontrol requeue \"$SLURM_JOB_ID\" || echo \"[mergelab] scontrol requeue failed:"
                    + " \\`mergelab retry\\` continues the task\" >&2\n");
            s.append("    else\n");
            s.append("      echo \"[mergelab] stopped before the time limit (exit $rc) after $restarts requeues:"
                    + " \\`mergelab retry\\` continues the task\" >&2\n");
            s.append("    fi\n");
            s.append("  fi\n");
            s.append("  exit \"$rc\" # also after a requeue: the job must not look COMPLETED to afterok\n");
            s.append("}\n\n");
        }
        s.append("# record_job DIR: DIR/" + JOB_RECORD + " gets this task's Slurm ids (atomically: temp file + rename)\n");
        s.append("record_job() {\n");
        s.append("  mkdir -p \"$1\"\n");
        s.append("  local tmp=\"$1/." + JOB_RECORD + ".$$\"\n");
        s.append("  printf 'job_id=%s\\narray_job_id=%s\\narray_task_id=%s\\nrestart_count=%s\\nnode=%s\\nlog=%s\\n' \\\n");
        s.append("    \"${SLURM_JOB_ID:-}\" \"${SLURM_ARRAY_JOB_ID:-}\" \"${SLURM_ARRAY_TASK_ID:-}\" \\\n");
        s.append("    \"${SLURM_RESTART_COUNT:-0}\" \"$(hostname)\" \"$log\" > \"$tmp\"\n");
        s.append("  mv -f \"$tmp\" \"$1/" + JOB_RECORD + "\"\n");
        s.append("}\n\n");
        s.append("case \"$task\" in\n");
        for (int i = 0; i < stage.tasks().size(); i++) {
            StageTask t = stage.tasks().get(i);
            s.append("  ").append(i).append(")\n");
            if (t.recordDir() != null) {
                s.append("    record_job ").append(quote(t.recordDir().toString())).append('\n');
            }
            for (String c : t.commands()) {
                if (stopAfter != null && c.startsWith("exec ")) { // a child this shell can stop and requeue
                    s.append("    ").append(c.substring("exec ".length())).append(" &\n");
                    s.append("    finish_task $!\n");
                } else {
                    s.append("    ").append(c).append('\n');
                }
            }
            s.append("    ;;\n");
        }
        s.append("  *) echo \"[mergelab] no task $task in stage ").append(stage.name())
                .append(" (array ").append(stage.arraySpec()).append(")\" >&2; exit 2 ;;\n");
        s.append("esac\n");
        return s.toString();
    }

    /** The text of {@code submit.sh}. */
    public String submitScript(String study, Path studyDir, List<SlurmStage> stages) {
        validateOrder(stages);
        Path abs = studyDir.toAbsolutePath().normalize();
        StringBuilder s = new StringBuilder();
        s.append("#!/bin/bash\n");
        s.append("# Submits the stages of mergelab study '").append(study).append("' in order; each stage waits for\n");
        s.append("# the parent tasks it uses with --dependency=afterok (ARRAY_TASK, or ARRAY for all of them),\n");
        s.append("# so it starts only when those succeeded.\n");
        s.append("# A failed task leaves its dependents PENDING with reason DependencyNeverSatisfied:\n");
        s.append("# look at ").append(logsDir(abs)).append("/, then scancel them and resubmit.\n");
        s.append("# Usage: submit.sh [sbatch options for every stage, e.g. --qos=debug]\n");
        s.append("# Job ids are printed and written to submitted.txt next to this file.\n");
        s.append("set -euo pipefail\n");
        s.append("shopt -s inherit_errexit # a failed sbatch inside $(...) stops the script, not just the subshell\n");
        s.append("dir=").append(quote(slurmDir(abs).toString())).append('\n');
        s.append("mkdir -p ").append(quote(logsDir(abs).toString())).append('\n');
        s.append("submit() {\n");
        s.append("  local out; out=$(sbatch --parsable \"$@\")\n");
        s.append("  [[ -n \"$out\" ]] || { echo \"submit.sh: sbatch $* printed no job id\" >&2; return 1; }\n");
        s.append("  echo \"${out%%;*}\"\n");
        s.append("}\n");
        s.append("ids=\"$dir/.submitted.txt.$$\"\n");
        s.append(": > \"$ids\"\n");
        for (SlurmStage stage : stages) {
            String var = var(stage.name());
            s.append(var).append("=$(submit \"$@\"");
            if (!stage.after().isEmpty()) {
                s.append(" --dependency=afterok:")
                        .append(String.join(":", stage.afterOkIds(parent -> "${" + var(parent) + "}")));
            }
            s.append(" \"$dir/").append(stage.name()).append(".sbatch\")\n");
            s.append("echo \"").append(stage.name()).append(": job ${").append(var).append("} (")
                    .append(stage.tasks().size()).append(stage.tasks().size() == 1 ? " task" : " tasks").append(")\"\n");
            s.append("echo \"").append(stage.name()).append("=${").append(var).append("}\" >> \"$ids\"\n");
        }
        s.append("mv -f \"$ids\" \"$dir/submitted.txt\"\n");
        return s.toString();
    }

    private static String var(String stage) {
        return "job_" + stage.replace('-', '_');
    }

    /** Single-quotes a word for bash. */
    static String quote(String word) {
        if (word.matches("[A-Za-z0-9_./%+:=@-]+")) {
            return word;
        }
        return "'" + word.replace("'", "'\\''") + "'";
    }

    private static void validateOrder(List<SlurmStage> stages) {
        Set<String> seen = new HashSet<>();
        for (SlurmStage stage : stages) {
            for (String parent : stage.after()) {
                if (!seen.contains(parent)) {
                    throw new IllegalArgumentException("stage " + stage.name() + ": depends on '" + parent
                            + "', which is not an earlier stage (stages must be listed parents first)");
                }
            }
            if (!seen.add(stage.name())) {
                throw new IllegalArgumentException("stage " + stage.name() + ": listed twice");
            }
        }
    }

    private static void writeExecutable(Path file, String text) throws IOException {
        Files.writeString(file, text, StandardCharsets.UTF_8);
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (UnsupportedOperationException e) {
            file.toFile().setExecutable(true);
        }
    }

    /** Puts {@code fresh} where {@code target} is; an old target is moved aside first, then deleted. */
    private static void replaceDir(Path fresh, Path target) throws IOException {
        Path old = null;
        if (Files.exists(target)) {
            old = target.resolveSibling("." + target.getFileName() + ".old-" + ProcessHandle.current().pid()
                    + "-" + System.nanoTime());
            Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
        }
        try {
            Files.move(fresh, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(fresh, target);
        }
        if (old != null) {
            deleteTree(old);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            List<Path> all = new ArrayList<>(walk.sorted(Comparator.reverseOrder()).toList());
            for (Path p : all) {
                Files.deleteIfExists(p);
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
