package io.mergelab.cli;

import io.mergelab.config.StudyConfig;
import io.mergelab.pipeline.Plan;
import io.mergelab.pipeline.SlurmExecutor;
import io.mergelab.pipeline.StepStore;
import io.mergelab.pipeline.Studies;
import io.mergelab.slurm.JobInfo;
import io.mergelab.slurm.SlurmClient;
import io.mergelab.slurm.SlurmClients;
import io.mergelab.slurm.StudySubmission;
import io.mergelab.slurm.SubmissionRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code mergelab retry outputs/<study>}: resubmits what the last Slurm submission did not get done (failed steps
 * and those behind them), with the same config and overrides; returns once submitted.
 */
@Command(name = "retry", mixinStandardHelpOptions = true,
        description = {"Resubmit the failed steps of the study's last Slurm submission and the steps that need them",
            "(the old jobs waiting forever behind the failure are cancelled). Follow with `mergelab status --watch`."})
final class RetryCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "STUDY_DIR", description = "e.g. outputs/quickstart")
    Path studyDir;

    @Override
    public Integer call() throws Exception {
        Path dir = studyDir.toAbsolutePath().normalize();
        SubmissionRecord record = SubmissionRecord.read(dir);
        Map<String, String> env = System.getenv();
        SlurmClient client = SlurmClients.fromEnvironment(env, w -> spec.commandLine().getErr().println("warning: " + w));
        StudySubmission old = StudySubmission.attach(client, record.stageJobs(), record.tasks());
        for (Map.Entry<String, JobInfo> e : old.poll().entrySet()) {
            if (!e.getValue().isSettled()) {
                throw new IllegalStateException(dir + ": step " + e.getKey() + " is still " + e.getValue().state()
                        + " (job " + e.getValue().displayId() + "); wait for it, or `mergelab cancel " + dir + "` first");
            }
        }
        old.cancelAll(); // the dependents stuck behind the failure
        Studies studies = Studies.standard(Paths.home());
        StudyConfig study = studies.load(record.config(), record.overrides());
        Plan plan = studies.plan(study);
        StepStore store = new StepStore(dir);
        SlurmExecutor exec = SlurmExecutor.forStudy(study, new SlurmExecutor.Invocation(record.config(),
                record.overrides(), record.outputs()), Paths.home(), env, w -> spec.commandLine().getErr().println("warning: " + w));
        StudySubmission sub;
        try (StepStore.RunLock ignored = store.lock()) {
            sub = exec.submit(plan, store);
        }
        spec.commandLine().getOut().println("resubmitted " + sub.tasks().size() + " step(s): "
                + sub.stageJobs() + "; follow with: mergelab status --watch " + dir);
        return 0;
    }
}
