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
        for (Map.Entry<String, String> e : record.stageJobs().entrySet()) {
            client.cancel(e.getValue());
            spec.commandLine().getOut().println("cancelled " + e.getKey() + " (job " + e.getValue() + ")");
        }
        return 0;
    }
}
