package io.mergelab.cli;

import io.mergelab.config.StudyConfig;
import io.mergelab.pipeline.ConsoleListener;
import io.mergelab.pipeline.Executor;
import io.mergelab.pipeline.LocalExecutor;
import io.mergelab.pipeline.Plan;
import io.mergelab.pipeline.PlanPrinter;
import io.mergelab.pipeline.RunSummary;
import io.mergelab.pipeline.SlurmExecutor;
import io.mergelab.pipeline.StepStore;
import io.mergelab.pipeline.Studies;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** Runs a study: validate, plan, execute what is not done yet, write the report. */
@Command(name = "run",
        description = {"Run a study: fine-tune → merge → evaluate → baselines → report.",
            "Resumable: steps already done in outputs/<study>/ are skipped, changed ones redone.",
            "Also reads the seed study's shape (config: {dataset, model, training_args, mergekit_config})."},
        mixinStandardHelpOptions = true)
final class RunCommand implements Callable<Integer> {

    @Parameters(paramLabel = "CONFIG", description = "Study YAML, e.g. configs/quickstart.yaml.")
    Path config;

    @Option(names = "--verify", description = "Before running, compare every done step's files with the SHA-256 "
            + "sums its done-marker recorded (reads them all) and redo the steps whose files changed. Without it "
            + "only sizes and safetensors headers are checked.")
    boolean verify;

    @Option(names = "--dry-run", description = "Print the plan (steps, inputs, done or not) and stop.")
    boolean dryRun;

    @Option(names = "--print-study-dir", description = "Print the study's output folder (after --set and --outputs) "
            + "and stop; for job scripts that put their log there.")
    boolean printStudyDir;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "Override a config value, e.g. --set training_args.learning_rate=1e-4 (repeatable).")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--parallelism", paramLabel = "N", description = "Steps at once (default: executor.parallelism).")
    Integer parallelism;

    @Option(names = "--only", paramLabel = "STEP_ID",
            description = "Run just this step and what it needs (how a cluster job runs one step).")
    String only;

    @Option(names = "--outputs", paramLabel = "DIR", description = "Where study folders go (default: <mergelab>/outputs).")
    Path outputs;

    @Option(names = "--executor", paramLabel = "KIND",
            description = "local or slurm (default: the config's executor.kind). slurm submits the steps not done as "
                    + "job arrays chained by afterok and waits for them; --only always runs here.")
    String executor;

    @Option(names = "--device", paramLabel = "auto|cpu|cuda|cuda:N",
            description = "Where fine-tuning and evaluation compute: the same as --set device=... (default: the "
                    + "config's device, else auto). With --executor slurm, cuda also asks Slurm for GPUs.")
    String device;

    @Override
    public Integer call() throws Exception {
        long start = System.nanoTime();
        if (device != null) {
            overrides.add("device=" + device); // an override, so Slurm jobs get it with the others
        }
        Studies studies = Studies.standard(Paths.home());
        StudyConfig study = studies.load(config, overrides);
        Path studyDir = Studies.studyDir(outputs != null ? outputs : Paths.home().resolve("outputs"), study);
        if (printStudyDir) {
            System.out.println(studyDir.toAbsolutePath().normalize());
            return 0;
        }
        study.notes().forEach(n -> System.err.println("note: " + n));
        Plan plan = studies.plan(study);
        if (only != null) {
            plan = plan.upTo(only);
        }
        StepStore store = new StepStore(studyDir);
        for (io.mergelab.pipeline.Step s : plan.steps()) {
            String broken = store.brokenReason(s.id(), verify);
            if (broken != null) {
                System.err.println("mergelab: " + s.label() + " (" + s.id() + ") was done, but " + broken
                        + (dryRun ? ": a run redoes it" : ": redoing it"));
                if (!dryRun) {
                    store.markUndone(s.id());
                }
            }
        }
        if (dryRun) {
            System.out.print(PlanPrinter.describe(plan, store, false));
            return 0;
        }
        String kind = executor != null ? executor : study.executor().kind();
        if (!kind.equals("local") && !kind.equals("slurm")) {
            throw new IllegalArgumentException("--executor " + kind + ": expected local or slurm");
        }
        if (kind.equals("local") || only != null) {
            // fail before any work when this machine cannot give the device (a Slurm node is checked in its job)
            io.mergelab.pipeline.StudyCompute.request(study.compute())
                    .choose(io.mergelab.model.device.DeviceSelector.forThisMachine(), null);
        }
        int n = parallelism != null ? parallelism : study.executor().parallelism();
        Executor exec = only != null ? new LocalExecutor(n, true) // a cluster job: other steps run beside it
                : kind.equals("slurm") ? SlurmExecutor.forStudy(study, new SlurmExecutor.Invocation(config, overrides,
                        studyDir.getParent()), Paths.home(), System.getenv(), w -> System.err.println("warning: " + w))
                : new LocalExecutor(n);
        RunSummary summary = exec.execute(plan, store, io.mergelab.pipeline.StepListener.all(java.util.List.of(
                new ConsoleListener(System.err), io.mergelab.pipeline.TrackingStepListener.forStudy(study, kind,
                        studyDir, Paths.home(), System.getenv(), System.err, overrides))));
        Studies.publishReport(plan, store); // with --only: when the step is the report (a Slurm report job)
        Path report = studyDir.resolve("report");
        double seconds = (System.nanoTime() - start) / 1e9;
        if (Files.isRegularFile(report.resolve("results.md"))) {
            String md = Files.readString(report.resolve("results.md"));
            int from = md.indexOf("| model |");
            int to = md.indexOf("\n\n", from);
            if (from >= 0) {
                System.out.println(md.substring(from, to > 0 ? to : md.length()).strip());
                System.out.println();
            }
        }
        System.out.printf(Locale.ROOT, "%s: %d steps run, %d already done, %d failed, %d not run, %.1f s%n",
                study.name(), summary.ran().size(), summary.skipped().size(), summary.failures().size(),
                summary.blocked().size(), seconds);
        summary.failures().forEach((id, why) -> System.out.println("  failed " + id + ": " + why));
        if (Files.isDirectory(report)) {
            System.out.println("report: " + report.resolve("results.md"));
        }
        return summary.ok() ? 0 : 1;
    }
}
