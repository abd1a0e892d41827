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
        int cancelled = 0;
        for (var s : io.mergelab.slurm.StudySubmission.attach(client, record.stageJobs(), record.tasks()).cancelAll()) {
            if (s.live().isEmpty()) {
                out.println(s.stage() + " (job " + s.jobId() + "): nothing to cancel, " + counts(s.ended()));
                continue;
            }
            cancelled++;
            out.println("cancelled " + s.stage() + " (job " + s.jobId() + "): " + counts(s.live())
                    + (s.ended().isEmpty() ? "" : "; already ended: " + counts(s.ended())));
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
