package io.mergelab.cli;

import io.mergelab.config.StudyConfig;
import io.mergelab.pipeline.Plan;
import io.mergelab.pipeline.Step;
import io.mergelab.pipeline.StepStore;
import io.mergelab.pipeline.Studies;
import io.mergelab.slurm.JobInfo;
import io.mergelab.slurm.RenderedScripts;
import io.mergelab.slurm.SbatchRenderer;
import io.mergelab.slurm.SlurmClient;
import io.mergelab.slurm.SlurmClients;
import io.mergelab.slurm.SlurmRestClient;
import io.mergelab.slurm.SlurmSettings;
import io.mergelab.slurm.SlurmStage;
import io.mergelab.slurm.StageGrouping;
import io.mergelab.slurm.StepRef;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.LinkedHashMap;
import java.util.concurrent.Callable;

/** {@code mergelab slurm render|check|jobs|cancel}: sbatch scripts for a study, and the jobs they made. */
@Command(name = "slurm",
        description = {"Slurm: render a study as sbatch scripts (one job array per stage, afterok chained),",
            "check the cluster connection, list or cancel the jobs a submit.sh started.",
            "Whole study as one job instead: sbatch bin/run_experiment.sh CONFIG."},
        mixinStandardHelpOptions = true,
        subcommands = {SlurmCommand.Render.class, SlurmCommand.Check.class, SlurmCommand.Jobs.class,
            SlurmCommand.Cancel.class})
final class SlurmCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand (render, check, jobs, cancel)");
    }

    @Command(name = "render", mixinStandardHelpOptions = true,
            description = {"Write outputs/<study>/slurm/<stage>.sbatch (one job array per step kind, steps already",
                "done left out) and submit.sh, with resources from the config's executor.slurm section.",
                "Each task runs `bin/mergelab run --only STEP CONFIG`; logs go to outputs/<study>/logs/."})
    static final class Render implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "CONFIG", description = "Study YAML.")
        Path config;

        @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a config value (repeatable).")
        List<String> overrides = new ArrayList<>();

        @Option(names = "--outputs", paramLabel = "DIR", description = "Where study folders go (default: <mergelab>/outputs).")
        Path outputs;

        @Override
        public Integer call() throws IOException {
            PrintWriter out = spec.commandLine().getOut();
            Path home = Paths.home();
            Studies studies = Studies.standard(home);
            StudyConfig study = studies.load(config, overrides);
            Plan plan = studies.plan(study);
            Path outputsDir = (outputs != null ? outputs : home.resolve("outputs")).toAbsolutePath().normalize();
            Path studyDir = Studies.studyDir(outputsDir, study);
            StepStore store = new StepStore(studyDir);
            Object section = study.executor().options().get("slurm");
            if (section != null && !(section instanceof Map<?, ?>)) {
                throw new IllegalArgumentException(config + ": executor.slurm: expected a mapping (partition, time, ...)");
            }
            SlurmSettings settings = SlurmSettings.forStudy((Map<?, ?>) section, config + ": executor.slurm", home);

            String configArg = quote(config.toAbsolutePath().normalize().toString());
            StringBuilder common = new StringBuilder();
            for (String o : overrides) {
                common.append(" --set ").append(quote(o));
            }
            common.append(" --outputs ").append(quote(outputsDir.toString()));
            List<StepRef> todo = new ArrayList<>();
            int done = 0;
            for (Step step : plan.steps()) {
                if (store.isDone(step.id())) {
                    done++;
                    continue;
                }
                // the step directory is created atomically by the step itself, so ids are recorded beside it
                Path record = studyDir.resolve("slurm-jobs").resolve(step.id());
                // `run --only` locks just its step, so the tasks of one study run side by side
                todo.add(new StepRef(step.id(), step.kind(), step.deps(), record,
                        // exec (bin/mergelab execs java too): Slurm's SIGTERM reaches the JVM, which checkpoints
                        List.of("exec \"$MERGELAB_HOME/bin/mergelab\" run --only " + step.id() + common + " " + configArg)));
            }
            if (todo.isEmpty()) {
                out.println(study.name() + ": all " + done + " steps are done; nothing to render");
                return 0;
            }
            // the report job (and `mergelab report`) read the plan from disk, as after a run
            io.mergelab.pipeline.PlanFile.write(plan, store);
            StageGrouping.Grouped grouped = StageGrouping.grouped(todo);
            List<SlurmStage> stages = grouped.stages();
            settings.checkHeap(System.getenv("MERGELAB_JAVA_OPTS"), stages.stream().map(SlurmStage::name).toList(),
                    config + ": executor.slurm");
            RenderedScripts r = new SbatchRenderer(home).render(study.name(), studyDir, stages,
                    io.mergelab.pipeline.StudyCompute.withGpus(settings, study.compute(), stages));
            // what status, cancel, retry and `slurm jobs` read once submit.sh has filled in the job ids
            Map<String, String> emptyIds = new LinkedHashMap<>();
            Map<String, io.mergelab.slurm.StudySubmission.TaskRef> tasks = new LinkedHashMap<>();
            Map<String, String> labels = new LinkedHashMap<>();
            for (SlurmStage s : stages) {
                emptyIds.put(s.name(), "");
                List<String> ids = grouped.stepIds().get(s.name());
                for (int i = 0; i < ids.size(); i++) {
                    tasks.put(ids.get(i), new io.mergelab.slurm.StudySubmission.TaskRef(ids.get(i), s.name(), "", i));
                    labels.put(ids.get(i), plan.step(ids.get(i)).label());
                }
            }
            new io.mergelab.slurm.SubmissionRecord(study.name(), config.toAbsolutePath().normalize(), overrides,
                    outputsDir, emptyIds, tasks, labels).writeRendered(studyDir);
            for (SlurmStage s : stages) {
                out.printf("%-24s %3d task(s)%s%n", r.stageScripts().get(s.name()).getFileName(), s.tasks().size(),
                        s.after().isEmpty() ? "" : "  after " + s.describeAfter());
            }
            out.println((done > 0 ? done + " step(s) already done, left out. " : "") + "Submit with: " + r.submitScript());
            out.println("Logs: " + r.logsDir() + "/<stage>-<array job id>_<task>.out");
            return 0;
        }
    }

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = {"Show which way mergelab reaches Slurm (slurmrestd with SLURM_REST_URL + SLURM_JWT,",
                "else sbatch on PATH) and that it answers."})
    static final class Check implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            SlurmClient client = SlurmClients.fromEnvironment(System.getenv(), w -> spec.commandLine().getErr().println("warning: " + w));
            out.println("using " + client.describe());
            if (client instanceof SlurmRestClient rest) {
                out.println("slurmctld: " + rest.ping());
            }
            return 0;
        }
    }

    @Command(name = "jobs", mixinStandardHelpOptions = true,
            description = "States of the jobs of the study's latest submission (submit.sh or run --executor slurm).")
    static final class Jobs implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "STUDY_DIR", description = "e.g. outputs/quickstart")
        Path studyDir;

        @Override
        public Integer call() throws IOException {
            PrintWriter out = spec.commandLine().getOut();
            SlurmClient client = SlurmClients.fromEnvironment(System.getenv(), w -> spec.commandLine().getErr().println("warning: " + w));
            int bad = 0;
            for (Map.Entry<String, String> e : io.mergelab.slurm.SubmissionRecord.read(studyDir.toAbsolutePath()
                    .normalize()).stageJobs().entrySet()) {
                for (JobInfo j : client.jobs(e.getValue())) {
                    out.printf("%-16s %-14s %-12s %-26s %s%n", e.getKey(), j.displayId(), j.state(),
                            j.reason() == null || "None".equals(j.reason()) ? "" : j.reason(),
                            j.state().isTerminal() ? "exit " + j.exit() : "");
                    if (j.dependencyNeverSatisfied() || (j.state().isTerminal() && !j.state().isSuccess())) {
                        bad++;
                    }
                }
            }
            return bad == 0 ? 0 : 1;
        }
    }

    @Command(name = "cancel", mixinStandardHelpOptions = true,
            description = "Cancel what is pending or running of the study's latest submission (as `mergelab cancel`).")
    static final class Cancel implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "STUDY_DIR", description = "e.g. outputs/quickstart")
        Path studyDir;

        @Override
        public Integer call() throws IOException {
            SlurmClient client = SlurmClients.fromEnvironment(System.getenv(), w -> spec.commandLine().getErr().println("warning: " + w));
            CancelCommand.cancelLive(io.mergelab.slurm.SubmissionRecord.read(studyDir.toAbsolutePath().normalize()),
                    client, spec.commandLine().getOut());
            return 0;
        }
    }

    private static String quote(String word) {
        return word.matches("[A-Za-z0-9_./%+:=@-]+") ? word : "'" + word.replace("'", "'\\''") + "'";
    }
}
