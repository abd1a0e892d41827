package io.mergelab.cli;

import io.mergelab.pipeline.StepStore;
import io.mergelab.slurm.JobInfo;
import io.mergelab.slurm.SlurmClient;
import io.mergelab.slurm.SlurmClients;
import io.mergelab.slurm.StudySubmission;
import io.mergelab.slurm.SubmissionRecord;
import io.mergelab.slurm.TaskLogs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;

/** {@code mergelab status outputs/<study>}: the study's Slurm jobs, step by step. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"The steps a Slurm run of the study submitted (run with executor slurm, or retry):",
            "job id, state, elapsed time, exit code and log of each; a failed step's log tail.",
            "Exit code 1 when a step failed or cannot run."})
final class StatusCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "STUDY_DIR", description = "e.g. outputs/quickstart")
    Path studyDir;

    @Option(names = "--watch", paramLabel = "SECONDS", arity = "0..1", fallbackValue = "5",
            description = "Refresh every SECONDS (default 5) until every job has settled.")
    Integer watch;

    @Option(names = "--lines", paramLabel = "N", description = "Log lines shown for a failed step (default 10).")
    int lines = 10;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Path dir = studyDir.toAbsolutePath().normalize();
        SubmissionRecord record = SubmissionRecord.read(dir);
        SlurmClient client = SlurmClients.fromEnvironment(System.getenv(),
                w -> spec.commandLine().getErr().println("warning: " + w));
        StudySubmission sub = StudySubmission.attach(client, record.stageJobs(), record.tasks());
        while (true) {
            Map<String, JobInfo> now = sub.poll();
            int bad = print(out, dir, record, now);
            boolean settled = now.values().stream().allMatch(JobInfo::isSettled);
            if (watch == null || settled) {
                return bad == 0 ? 0 : 1;
            }
            out.println();
            out.flush();
            Thread.sleep(Math.max(1, watch) * 1000L);
        }
    }

    /** Prints the table and the failures; returns how many steps failed or cannot run. */
    static int print(PrintWriter out, Path dir, SubmissionRecord record, Map<String, JobInfo> jobs) {
        StepStore store = new StepStore(dir);
        out.printf(Locale.ROOT, "study %s (%s), %s%n", record.study(), dir, Instant.now().toString().substring(0, 19));
        out.printf(Locale.ROOT, "%-22s %-30s %-12s %-24s %8s %5s  %s%n", "STEP", "LABEL", "JOB", "STATE", "ELAPSED",
                "EXIT", "LOG");
        int bad = 0;
        StringBuilder failures = new StringBuilder();
        for (StudySubmission.TaskRef t : record.tasks().values()) {
            JobInfo j = jobs.get(t.stepId());
            Path log = TaskLogs.log(dir, t);
            String label = record.labels().getOrDefault(t.stepId(), "");
            boolean done = store.isDone(t.stepId());
            String job = recordedJob(store.dir(t.stepId()), t.jobId() + "_" + t.index());
            if (j == null) {
                out.printf(Locale.ROOT, "%-22s %-30s %-12s %-24s %8s %5s  %s%n", t.stepId(), label, job,
                        done ? "done (job purged)" : "unknown", "", "", log);
                continue;
            }
            String state = j.state().toString();
            if (j.reason() != null && !j.reason().isBlank() && !"None".equals(j.reason())) {
                state += " (" + j.reason() + ")";
            }
            if (j.state().isSuccess() && !done) {
                state = "COMPLETED, not done";
            }
            String elapsed = j.startTime() == null ? "" : format(Duration.between(j.startTime(),
                    j.endTime() != null && j.state().isTerminal() ? j.endTime() : Instant.now()));
            out.printf(Locale.ROOT, "%-22s %-30s %-12s %-24s %8s %5s  %s%n", t.stepId(), label,
                    j.arrayTaskId() != null ? j.displayId() : job, state, elapsed,
                    j.state().isTerminal() ? String.valueOf(j.exit().code()) : "", log);
            if (j.state().isTerminal() && !(j.state().isSuccess() && done)) {
                bad++;
                failures.append("\nFAILED ").append(t.stepId()).append(" (").append(label).append("), job ")
                        .append(j.displayId()).append(' ').append(j.state()).append(" exit ").append(j.exit())
                        .append(": ").append(TaskLogs.reason(log)).append("\n  last lines of ").append(log).append(":\n");
                TaskLogs.tail(log, 10).forEach(l -> failures.append("  | ").append(l).append('\n'));
            } else if (j.dependencyNeverSatisfied()) {
                bad++;
                failures.append("\nNOT RUN ").append(t.stepId()).append(" (").append(label)
                        .append("): a step it needs failed (DependencyNeverSatisfied); fix it and `mergelab retry ")
                        .append(dir).append("`\n");
            }
        }
        out.print(failures);
        return bad;
    }

    /** The task's id as its job recorded it in the step folder, else the submission's array_task. */
    private static String recordedJob(Path stepDir, String fallback) {
        Path f = stepDir.resolve(StepStore.SLURM_JOB);
        if (Files.isRegularFile(f)) {
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(f)) {
                p.load(r);
                String a = p.getProperty("array_job_id", "");
                return a.isEmpty() ? p.getProperty("job_id", fallback) : a + "_" + p.getProperty("array_task_id", "");
            } catch (IOException e) {
                return fallback;
            }
        }
        return fallback;
    }

    private static String format(Duration d) {
        long s = Math.max(0, d.toSeconds());
        return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
    }
}
