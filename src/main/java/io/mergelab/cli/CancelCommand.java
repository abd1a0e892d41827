package io.mergelab.cli;

import io.mergelab.slurm.SlurmClient;
import io.mergelab.slurm.SlurmClients;
import io.mergelab.slurm.SubmissionRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code mergelab cancel outputs/<study>}: cancels the jobs of the study's last Slurm submission. */
@Command(name = "cancel", mixinStandardHelpOptions = true,
        description = {"Cancel the Slurm jobs of the study's last submission (run with executor slurm, or retry).",
            "Steps already done stay done; run or retry submits the rest again."})
final class CancelCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "STUDY_DIR", description = "e.g. outputs/quickstart")
    Path studyDir;

    @Override
    public Integer call() {
        SubmissionRecord record = SubmissionRecord.read(studyDir.toAbsolutePath().normalize());
        SlurmClient client = SlurmClients.fromEnvironment(System.getenv(),
                w -> spec.commandLine().getErr().println("warning: " + w));
        cancelLive(record, client, spec.commandLine().getOut());
        return 0;
    }

    /** Cancels the stages of {@code record} with a pending or running task; says per stage what it did. */
    static void cancelLive(SubmissionRecord record, SlurmClient client, java.io.PrintWriter out) {
        Map<String, io.mergelab.slurm.JobInfo> now = io.mergelab.slurm.StudySubmission.attach(client,
                record.stageJobs(), record.tasks()).poll();
        int cancelled = 0;
        for (Map.Entry<String, String> e : record.stageJobs().entrySet()) {
            // the states of the stage's tasks, counted: only a stage with a pending or running task is cancelled
            Map<String, Integer> live = new java.util.TreeMap<>();
            Map<String, Integer> ended = new java.util.TreeMap<>();
            for (var t : record.tasks().values()) {
                if (!t.stage().equals(e.getKey())) {
                    continue;
                }
                io.mergelab.slurm.JobInfo j = now.get(t.stepId());
                String state = j == null ? "UNKNOWN" : j.state().name();
                (j != null && !j.state().isTerminal() ? live : ended).merge(state, 1, Integer::sum);
            }
            if (live.isEmpty()) {
                out.println(e.getKey() + " (job " + e.getValue() + "): nothing to cancel, " + counts(ended));
                continue;
            }
            client.cancel(e.getValue());
            cancelled++;
            out.println("cancelled " + e.getKey() + " (job " + e.getValue() + "): " + counts(live)
                    + (ended.isEmpty() ? "" : "; already ended: " + counts(ended)));
        }
        if (cancelled == 0) {
            out.println("nothing cancelled: every job of the last submission has ended");
        }
    }

    private static String counts(Map<String, Integer> byState) {
        java.util.List<String> parts = new java.util.ArrayList<>();
        byState.forEach((state, n) -> parts.add(n + " " + state));
        return String.join(", ", parts);
    }
}
