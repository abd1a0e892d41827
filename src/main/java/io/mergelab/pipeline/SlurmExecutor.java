package io.mergelab.pipeline;

import io.mergelab.config.StudyConfig;
import io.mergelab.slurm.JobInfo;
import io.mergelab.slurm.SlurmClients;
import io.mergelab.slurm.LauncherPin;
import io.mergelab.slurm.SbatchRenderer;
import io.mergelab.slurm.SlurmClient;
import io.mergelab.slurm.SlurmSettings;
import io.mergelab.slurm.StepRef;
import io.mergelab.slurm.StudySubmission;
import io.mergelab.slurm.SubmissionRecord;
import io.mergelab.slurm.TaskLogs;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs a study on Slurm: the steps not done yet are submitted as job arrays (one per step kind, afterok
 * chained; {@link StudySubmission}), each task running {@code mergelab run --only STEP CONFIG} from a pinned
 * copy of this JVM's code ({@link LauncherPin}, so a rebuild of the checkout cannot change step ids
 * mid-study); then the jobs are watched and reported through the {@link StepListener}. A failed step leaves
 * its dependents PENDING forever (DependencyNeverSatisfied): they are reported as not run and cancelled.
 */
public final class SlurmExecutor implements Executor {

    /** How the jobs re-create the study: the config file, its --set overrides and the outputs folder. */
    public record Invocation(Path config, List<String> overrides, Path outputs) {
        public Invocation {
            config = config.toAbsolutePath().normalize();
            overrides = List.copyOf(overrides);
            outputs = outputs.toAbsolutePath().normalize();
        }
    }

    /**
     * Environment variables the jobs get from the submitting shell (DJL's cache, the launcher's JVM options, where the
     * Hugging Face cache is and whether it is offline). Not HF_TOKEN: job scripts are plain files.
     */
    static final List<String> FORWARDED_ENV = List.of("DJL_CACHE_DIR", "MERGELAB_JAVA_OPTS", "HF_HOME", "HF_HUB_CACHE",
            "HF_HUB_OFFLINE", "HF_ENDPOINT");

    private final SlurmClient client;
    private final SlurmSettings settings;
    private final Path home;
    private final Invocation invocation;
    private final Duration pollEvery;
    private final Duration timeout;
    private final StudyConfig.Compute compute;

    public SlurmExecutor(SlurmClient client, SlurmSettings settings, Path home, Invocation invocation,
                         Duration pollEvery, Duration timeout) {
        this(client, settings, home, invocation, pollEvery, timeout, null);
    }

    /** @param compute the study's device: {@code cuda} adds {@code --gpus} to model stages that name none */
    public SlurmExecutor(SlurmClient client, SlurmSettings settings, Path home, Invocation invocation,
                         Duration pollEvery, Duration timeout, StudyConfig.Compute compute) {
        this.compute = compute;
        this.client = client;
        this.settings = settings;
        this.home = home.toAbsolutePath().normalize();
        this.invocation = invocation;
        this.pollEvery = pollEvery;
        this.timeout = timeout;
    }

    /**
     * The executor for {@code study}: Slurm reached as {@link SlurmClients#fromEnvironment} says, resources from
     * the config's {@code executor.slurm} section; polls every 2 s (the {@code MERGELAB_SLURM_POLL_MS} env
     * variable changes it), waits up to {@code executor.slurm.wait_hours} (default 72).
     */
    public static SlurmExecutor forStudy(StudyConfig study, Invocation invocation, Path home, Map<String, String> env,
                                         java.util.function.Consumer<String> warn) {
        Object section = study.executor().options().get("slurm");
        if (section != null && !(section instanceof Map<?, ?>)) {
            throw new IllegalArgumentException(invocation.config() + ": executor.slurm: expected a mapping (partition, time, ...)");
        }
        SlurmSettings settings = SlurmSettings.forStudy((Map<?, ?>) section, invocation.config() + ": executor.slurm",
                home);
        long poll = Long.parseLong(env.getOrDefault("MERGELAB_SLURM_POLL_MS", "2000"));
        double wait = settings.waitHours();
        return new SlurmExecutor(SlurmClients.fromEnvironment(env, warn), settings, home, invocation,
                Duration.ofMillis(poll), Duration.ofSeconds((long) (wait * 3600)), study.compute());
    }

    @Override
    public RunSummary execute(Plan plan, StepStore store, StepListener listener) throws Exception {
        // No local run of this study meanwhile; the jobs lock per step.
        try (StepStore.RunLock ignored = store.lock()) {
            Set<String> done = new HashSet<>();
            List<String> skipped = new ArrayList<>();
            for (Step s : plan.steps()) {
                if (store.isDone(s.id())) {
                    done.add(s.id());
                    skipped.add(s.id());
                }
            }
            listener.planned(plan, Set.copyOf(done));
            if (done.size() == plan.steps().size()) {
                RunSummary summary = new RunSummary(skipped, List.of(), Map.of(), Map.of());
                listener.runFinished(summary);
                return summary;
            }
            StudySubmission sub = submit(plan, store);
            Watch watch = new Watch(plan, store, listener, sub);
            try {
                sub.await(pollEvery, watch::seen, timeout);
            } finally {
                if (!watch.failures.isEmpty() || !watch.blocked.isEmpty()) {
                    sub.cancelAll(); // dependents would wait forever
                }
            }
            watch.blockRest();
            RunSummary summary = new RunSummary(skipped, watch.ran, watch.failures, watch.blocked);
            listener.runFinished(summary);
            return summary;
        }
    }

    /**
     * Submits the steps of {@code plan} not done yet and records the submission in
     * {@code outputs/<study>/slurm-jobs/submission.properties}; returns without waiting ({@code retry} uses it).
     */
    public StudySubmission submit(Plan plan, StepStore store) throws java.io.IOException {
        Path studyDir = store.root();
        PlanFile.write(plan, store);
        LauncherPin pin = LauncherPin.create(System.getProperty("java.class.path"),
                studyDir.resolve("slurm-jar").resolve(Instant.now().toString().replace(':', '-')));
        StringBuilder common = new StringBuilder();
        for (String o : invocation.overrides()) {
            common.append(" --set ").append(quote(o));
        }
        common.append(" --outputs ").append(quote(invocation.outputs().toString()));
        // slurmrestd jobs get only the environment sent: pass on what the JVM settings depend on
        List<String> exports = new ArrayList<>();
        for (String var : FORWARDED_ENV) {
            String v = System.getenv(var);
            if (v != null && !v.isBlank()) {
                exports.add("export " + var + "=" + quote(v));
            }
        }
        List<StepRef> todo = new ArrayList<>();
        Map<String, String> labels = new LinkedHashMap<>();
        for (Step step : plan.steps()) {
            if (store.isDone(step.id())) {
                continue;
            }
            Path record = SubmissionRecord.jobsDir(studyDir).resolve(step.id());
            List<String> commands = new ArrayList<>(exports);
            // exec: the JVM replaces the batch shell, so SIGTERM (scancel, requeue, preemption, time limit) reaches
            // it and a fine-tune writes a resume checkpoint before it exits; with stop_before_limit the script runs
            // it as a child instead, to requeue the job after it stopped (SbatchRenderer)
            commands.add("exec " + pin.javaCommand(home) + " run --only " + step.id() + common + " "
                    + quote(invocation.config().toString()));
            todo.add(new StepRef(step.id(), step.kind(), step.deps(), record, commands));
            labels.put(step.id(), step.label());
        }
        if (todo.isEmpty()) {
            throw new IllegalStateException(studyDir + ": every step is done; nothing to submit");
        }
        SlurmSettings resources = compute == null ? settings
                : StudyCompute.withGpus(settings, compute, io.mergelab.slurm.StageGrouping.group(todo));
        resources.checkHeap(System.getenv("MERGELAB_JAVA_OPTS"), io.mergelab.slurm.StageGrouping.group(todo).stream()
                .map(io.mergelab.slurm.SlurmStage::name).toList(), invocation.config() + ": executor.slurm");
        StudySubmission sub = StudySubmission.submit(client, new SbatchRenderer(home), plan.study(), studyDir, todo,
                resources);
        new SubmissionRecord(plan.study(), invocation.config(), invocation.overrides(), invocation.outputs(),
                sub.stageJobs(), sub.tasks(), labels).write(studyDir);
        return sub;
    }

    /** A failed Slurm task, with the telling line of its log. */
    public static final class StepJobFailed extends RuntimeException {
        public StepJobFailed(String message) {
            super(message);
        }
    }

    /** Turns job snapshots into listener events, each once. */
    private static final class Watch {
        final Plan plan;
        final StepStore store;
        final StepListener listener;
        final StudySubmission sub;
        final Set<String> started = new HashSet<>();
        final Set<String> settled = new HashSet<>();
        final List<String> ran = new ArrayList<>();
        final Map<String, String> failures = new LinkedHashMap<>();
        final Map<String, String> blocked = new LinkedHashMap<>();

        Watch(Plan plan, StepStore store, StepListener listener, StudySubmission sub) {
            this.plan = plan;
            this.store = store;
            this.listener = listener;
            this.sub = sub;
        }

        void seen(Map<String, JobInfo> snapshot) {
            snapshot.forEach((id, job) -> {
                if (settled.contains(id)) {
                    return;
                }
                Step step = plan.step(id);
                boolean running = job.state() == io.mergelab.slurm.JobState.RUNNING
                        || job.state() == io.mergelab.slurm.JobState.COMPLETING;
                if ((running || job.state().isTerminal()) && started.add(id)) {
                    listener.started(step);
                }
                if (job.state().isTerminal()) {
                    settled.add(id);
                    if (job.state().isSuccess() && store.isDone(id)) {
                        ran.add(id);
                        Duration took = job.startTime() != null && job.endTime() != null
                                ? Duration.between(job.startTime(), job.endTime()) : Duration.ZERO;
                        listener.finished(step, store.dir(id), took);
                    } else {
                        Path log = TaskLogs.log(store.root(), sub.tasks().get(id));
                        String why = "Slurm job " + job.displayId() + " " + job.state() + " exit " + job.exit()
                                + ": " + TaskLogs.reason(log) + " (log " + log + ")";
                        failures.put(id, step.label() + ": " + why);
                        listener.failed(step, new StepJobFailed(why));
                    }
                } else if (job.dependencyNeverSatisfied()) {
                    settled.add(id);
                    block(step);
                }
            });
        }

        /** Steps still waiting when the wait ended: behind a stage that can never complete. */
        void blockRest() {
            for (Step s : plan.steps()) {
                if (sub.tasks().containsKey(s.id()) && !settled.contains(s.id()) && !store.isDone(s.id())) {
                    block(s); // still PENDING behind a stage that can never complete
                }
            }
        }

        private void block(Step step) {
            String root = rootCause(step);
            blocked.put(step.id(), root);
            listener.blocked(step, plan.step(root));
        }

        /** The failed step that {@code step} (transitively) waited for; its first undone dependency otherwise. */
        private String rootCause(Step step) {
            List<String> todo = new ArrayList<>(step.deps());
            Set<String> seen = new HashSet<>();
            while (!todo.isEmpty()) {
                String d = todo.remove(0);
                if (!seen.add(d)) {
                    continue;
                }
                if (failures.containsKey(d)) {
                    return d;
                }
                todo.addAll(plan.step(d).deps());
            }
            // an array has one dependency (the union of its tasks' needs): a failed task another task of the
            // stage needs holds back this one too
            return failures.keySet().stream().findFirst()
                    .orElse(step.deps().stream().filter(d -> !store.isDone(d)).findFirst()
                            .orElse(step.deps().isEmpty() ? step.id() : step.deps().get(0)));
        }
    }

    static String quote(String word) {
        return word.matches("[A-Za-z0-9_./%+:=@-]+") ? word : "'" + word.replace("'", "'\\''") + "'";
    }
}
