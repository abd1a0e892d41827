package io.mergelab.pipeline;

import io.mergelab.cli.Main;
import io.mergelab.config.StudyConfig;
import io.mergelab.slurm.StudySubmission;
import io.mergelab.slurm.SubmissionRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A tiny study (tiny model, two variants, two optimiser steps, one merge) run by the Slurm executor on the real
 * cluster of {@code bin/slurm-local start} through slurmrestd, against the same study run locally.
 */
@Tag("slurm")
class SlurmExecutorTest {

    private static final String CONFIG = """
            name: %s
            seed: 42
            base_model: {preset: tiny}
            datasets: [yelp]
            variants:
              - {dataset: yelp, count: 2, split: disjoint, name: "yelp_{i}"}
            training_args: {learning_rate: 5.0e-4, num_train_epochs: 1, max_steps: 2, per_device_train_batch_size: 8,
                            per_device_eval_batch_size: 64, max_length: 32, eval_strategy: "no"}
            merges:
              - {name: linear, method: linear, models: [yelp_0, yelp_1]}
            evaluate:
              splits: [test]
              baselines: {variants: true, ensemble: false, stacker: false}
            executor: {kind: slurm, parallelism: 2, slurm: {time: "10", cpus_per_task: 1, wait_hours: 0.05}}
            report: {metric: accuracy, split: test, plots: false}
            """;

    /**
     * One fine-tune long enough (2400 steps of the tiny model: ~45 s of training on one idle core; 800 steps took
     * 14 s and finished inside the first window) that a 1-minute limit with stop_before_limit 40 (stop 20 s after
     * the job starts) interrupts it at least once. On a loaded machine a restart may spend most of its 20 s starting
     * the JVM (seen: 12 steps in one window), hence 20 requeues.
     */
    private static final String LONG_FINETUNE = """
            name: %s
            seed: 7
            base_model: {preset: tiny}
            datasets: [yelp]
            variants:
              - {dataset: yelp, count: 1, name: "yelp_{i}"}
            training_args: {learning_rate: 5.0e-4, max_steps: 2400, per_device_train_batch_size: 8,
                            per_device_eval_batch_size: 64, max_length: 32, eval_strategy: "no"}
            merges: []
            evaluate:
              splits: [test]
              baselines: {variants: true, ensemble: false, stacker: false}
            executor: {kind: slurm, parallelism: 2,
                       slurm: {time: "1", stop_before_limit: 40, max_requeues: 20, cpus_per_task: 1, wait_hours: 0.2}}
            report: {metric: accuracy, split: test, plots: false}
            """;

    private final List<StudySubmission> submissions = new ArrayList<>();

    @AfterEach
    void cancelLeftovers() {
        submissions.forEach(StudySubmission::cancelAll);
    }

    private static Path workDir(String name) throws IOException {
        return Files.createDirectories(Path.of("target/slurm-tests").toAbsolutePath()
                .resolve(name + "-" + Long.toString(System.nanoTime(), 36)));
    }

    /** The env of the local cluster (SLURM_REST_URL, SLURM_JWT, SLURM_USER), as the slurm package's tests read it. */
    static Map<String, String> clusterEnv() throws IOException {
        Map<String, String> env = new HashMap<>(System.getenv());
        if (env.get("SLURM_REST_URL") == null) {
            Path file = Path.of(".cache/slurm-local.env");
            if (!Files.isRegularFile(file)) {
                throw new AssertionError("no Slurm cluster: run bin/slurm-local start (or -DexcludedGroups=slurm)");
            }
            for (String line : Files.readAllLines(file)) {
                String l = line.strip().replaceFirst("^export ", "");
                int eq = l.indexOf('=');
                if (eq > 0) {
                    env.put(l.substring(0, eq), l.substring(eq + 1));
                }
            }
        }
        env.remove("SLURM_JWT_COMMAND");
        env.put("MERGELAB_SLURM_POLL_MS", "500");
        return env;
    }

    private record Study(Path config, StudyConfig study, Plan plan, Studies studies) {}

    private static Study study(Path dir, String name) throws IOException {
        return study(dir, name, CONFIG);
    }

    private static Study study(Path dir, String name, String template) throws IOException {
        Path config = dir.resolve(name + ".yaml");
        Files.writeString(config, template.formatted(name));
        Studies studies = Studies.standard(Path.of("").toAbsolutePath());
        StudyConfig study = studies.load(config, List.of());
        return new Study(config, study, studies.plan(study), studies);
    }

    private SlurmExecutor slurm(Study s, Path outputs) throws IOException {
        return SlurmExecutor.forStudy(s.study(), new SlurmExecutor.Invocation(s.config(), List.of(), outputs),
                Path.of("").toAbsolutePath(), clusterEnv(), w -> System.err.println("warning: " + w));
    }

    /** Records events and the submission (to cancel it if the test fails). */
    private final class Recorder implements StepListener {
        final List<String> events = new CopyOnWriteArrayList<>();

        @Override
        public void finished(Step step, Path outputDir, Duration took) {
            events.add("finished " + step.id());
        }

        @Override
        public void failed(Step step, Throwable error) {
            events.add("failed " + step.id() + ": " + error.getMessage());
        }

        @Override
        public void blocked(Step step, Step cause) {
            events.add("blocked " + step.id() + " by " + cause.id());
        }
    }

    @Test
    void tinyStudyOnSlurmGivesTheLocalRunsReport() throws Exception {
        Path dir = workDir("executor");
        Study s = study(dir, "tiny_slurm");
        Path localOut = dir.resolve("local");
        Path slurmOut = dir.resolve("slurm");

        long t0 = System.nanoTime();
        RunSummary local = new LocalExecutor(2).execute(s.plan(), new StepStore(Studies.studyDir(localOut, s.study())),
                new StepListener() { });
        long t1 = System.nanoTime();
        assertTrue(local.ok(), local.failures().toString());

        StepStore store = new StepStore(Studies.studyDir(slurmOut, s.study()));
        Recorder events = new Recorder();
        RunSummary remote = slurm(s, slurmOut).execute(s.plan(), store, events);
        long t2 = System.nanoTime();
        System.out.printf("[slurm] tiny study (%d steps): local %.1f s, Slurm executor over REST %.1f s%n",
                s.plan().steps().size(), (t1 - t0) / 1e9, (t2 - t1) / 1e9);
        assertTrue(remote.ok(), remote.failures() + " " + remote.blocked());
        assertEquals(s.plan().steps().size(), remote.ran().size());
        assertEquals(s.plan().steps().size(), events.events.stream().filter(e -> e.startsWith("finished")).count(),
                events.events.toString());

        Path localReport = Studies.studyDir(localOut, s.study()).resolve("report/results.csv");
        Path slurmReport = store.root().resolve("report/results.csv");
        assertEquals(Files.readString(localReport), Files.readString(slurmReport));

        // the scripts it submitted stay on disk where `slurm render` writes them, with the stage defaults' limits
        String finetune = Files.readString(store.root().resolve("slurm/finetune.sbatch"));
        assertTrue(finetune.contains(" run --only ") && finetune.contains("#SBATCH --mem=8G"), finetune);
        assertTrue(Files.isRegularFile(store.root().resolve("slurm/submit.sh")));

        // every step folder names the Slurm job that made it; status shows them all COMPLETED
        for (Step step : s.plan().steps()) {
            Path rec = store.dir(step.id()).resolve(StepStore.SLURM_JOB);
            assertTrue(Files.isRegularFile(rec), rec.toString());
            assertTrue(Files.readString(rec).contains("job_id="), rec.toString());
        }
        SubmissionRecord record = SubmissionRecord.read(store.root());
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int rc = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), "status", store.root().toString());
        assertEquals(0, rc, out + "\n" + err);
        for (StudySubmission.TaskRef t : record.tasks().values()) {
            assertTrue(out.toString().lines().anyMatch(l -> l.startsWith(t.stepId()) && l.contains(" COMPLETED ")
                    && l.contains(t.jobId() + "_" + t.index())), t + " in\n" + out);
        }

        // cancel on a finished study cancels nothing and says so, stage by stage
        StringWriter cancel = new StringWriter();
        assertEquals(0, Main.execute(new PrintWriter(cancel, true), new PrintWriter(new StringWriter(), true),
                "cancel", store.root().toString()), cancel.toString());
        assertTrue(cancel.toString().contains("finetune (job " + record.stageJobs().get("finetune")
                + "): nothing to cancel, 2 COMPLETED"), cancel.toString());
        assertTrue(cancel.toString().contains("nothing cancelled: every job of the last submission has ended"),
                cancel.toString());
        assertFalse(cancel.toString().contains("cancelled finetune"), cancel.toString());

        StringWriter jobs = new StringWriter();
        assertEquals(0, Main.execute(new PrintWriter(jobs, true), new PrintWriter(jobs, true), "slurm", "jobs",
                store.root().toString()), "`slurm jobs` on an executor study: " + jobs);

        // a rerun on Slurm finds everything done and submits nothing
        RunSummary again = slurm(s, slurmOut).execute(s.plan(), store, new StepListener() { });
        assertEquals(List.of(), again.ran());
        assertEquals(s.plan().steps().size(), again.skipped().size());
    }

    /**
     * A fine-tune stopped before its time limit requeues its own job and resumes from the checkpoint it wrote, as
     * often as it takes: the study ends with the local run's results, the step's job record counts the restarts
     * and the task log says why each requeue happened.
     */
    @Test
    void aFineTuneStoppedBeforeItsTimeLimitIsRequeuedAndResumes() throws Exception {
        Path dir = workDir("requeue");
        Study s = study(dir, "tiny_requeue", LONG_FINETUNE);
        StepStore store = new StepStore(Studies.studyDir(dir.resolve("slurm"), s.study()));
        long t0 = System.nanoTime();
        RunSummary remote = slurm(s, dir.resolve("slurm")).execute(s.plan(), store, new Recorder());
        long t1 = System.nanoTime();
        assertTrue(remote.ok(), remote.failures() + " " + remote.blocked());

        Step finetune = s.plan().steps().stream().filter(st -> st.kind().equals("finetune")).findFirst().orElseThrow();
        java.util.Properties job = new java.util.Properties();
        try (var in = Files.newBufferedReader(store.dir(finetune.id()).resolve(StepStore.SLURM_JOB))) {
            job.load(in);
        }
        int restarts = Integer.parseInt(job.getProperty("restart_count"));
        String log = Files.readString(Path.of(job.getProperty("log")));
        System.out.printf("[slurm] 2400-step fine-tune under a 1-minute limit: %d requeues, study %.1f s%n",
                restarts, (t1 - t0) / 1e9);
        assertTrue(restarts >= 1, "never requeued; log:\n" + log);
        assertEquals(restarts, log.lines().filter(l -> l.contains("s before the time limit (exit 143): requeueing job"))
                .count(), log);
        assertEquals(2400, Canonical.json().readTree(store.dir(finetune.id()).resolve("model/metrics.json").toFile())
                .get("train_steps").asInt());

        Path localOut = dir.resolve("local");
        assertTrue(new LocalExecutor(1).execute(s.plan(), new StepStore(Studies.studyDir(localOut, s.study())),
                new StepListener() { }).ok());
        // a resumed fine-tune equals an uninterrupted one (to float rounding when libtorch uses several threads)
        var local = Canonical.json().readTree(Studies.studyDir(localOut, s.study()).resolve(
                finetune.id() + "/model/metrics.json").toFile());
        var resumed = Canonical.json().readTree(store.dir(finetune.id()).resolve("model/metrics.json").toFile());
        double a = local.get("train_loss").asDouble();
        double b = resumed.get("train_loss").asDouble();
        assertTrue(Math.abs(a - b) <= 1e-5 * Math.abs(a), "train loss " + b + " resumed vs " + a + " uninterrupted");
    }

    @Test
    void aFailedStepStopsItsDependentsAndStatusSaysWhy() throws Exception {
        Path dir = workDir("failing");
        Study s = study(dir, "tiny_failing");
        Path outputs = dir.resolve("out");
        StepStore store = new StepStore(Studies.studyDir(outputs, s.study()));
        Step broken = s.plan().steps().stream().filter(st -> st.label().equals("finetune yelp_1")).findFirst().orElseThrow();
        // a file where the fine-tune's resumable work folder goes: that step fails at once, nothing else does
        Files.createDirectories(store.root().resolve(".work"));
        Files.writeString(store.root().resolve(".work").resolve(broken.id()), "not a folder");

        Recorder events = new Recorder();
        RunSummary summary = slurm(s, outputs).execute(s.plan(), store, events);
        assertEquals(List.of(broken.id()), List.copyOf(summary.failures().keySet()), summary.toString());
        assertTrue(summary.failures().get(broken.id()).contains("logs/finetune-"), summary.failures().toString());
        Step merge = s.plan().steps().stream().filter(st -> st.kind().equals("merge")).findFirst().orElseThrow();
        Step report = s.plan().steps().stream().filter(st -> st.kind().equals("report")).findFirst().orElseThrow();
        assertEquals(broken.id(), summary.blocked().get(merge.id()), summary.toString());
        assertEquals(broken.id(), summary.blocked().get(report.id()), summary.toString());
        assertFalse(store.isDone(merge.id()));
        assertTrue(events.events.contains("blocked " + merge.id() + " by " + broken.id()), events.events.toString());

        StringWriter out = new StringWriter();
        int rc = Main.execute(new PrintWriter(out, true), new PrintWriter(new StringWriter(), true), "status",
                store.root().toString());
        assertEquals(1, rc, out.toString());
        String text = out.toString();
        assertTrue(text.contains("FAILED " + broken.id() + " (finetune yelp_1)"), text);
        assertTrue(text.contains(broken.id()) && text.contains("last lines of"), text);
        assertTrue(text.contains(".work/" + broken.id()), "the log tail names the cause:\n" + text);

        // fixed: retry resubmits the failed fine-tune and what needs it; status --watch follows it to the end
        Files.delete(store.root().resolve(".work").resolve(broken.id()));
        StringWriter retryOut = new StringWriter();
        StringWriter retryErr = new StringWriter();
        assertEquals(0, Main.execute(new PrintWriter(retryOut, true), new PrintWriter(retryErr, true), "retry",
                store.root().toString()), retryOut + "\n" + retryErr);
        SubmissionRecord again = SubmissionRecord.read(store.root());
        submissions.add(StudySubmission.attach(io.mergelab.slurm.SlurmClients.fromEnvironment(clusterEnv(), w -> { }),
                again.stageJobs(), again.tasks()));
        assertFalse(again.tasks().containsKey(s.plan().steps().get(0).id()), "done steps are not resubmitted");
        assertTrue(again.tasks().containsKey(broken.id()) && again.tasks().containsKey(report.id()), again.toString());
        StringWriter watched = new StringWriter();
        assertEquals(0, Main.execute(new PrintWriter(watched, true), new PrintWriter(new StringWriter(), true),
                "status", "--watch", "1", store.root().toString()), watched.toString());
        for (Step step : s.plan().steps()) {
            assertTrue(store.isDone(step.id()), step.label() + " done after retry\n" + watched);
        }
    }

    /**
     * The hand-submitted path: {@code slurm render} then its {@code submit.sh} (sbatch on PATH), as a user runs
     * it; every stage, the report job included, completes and the study folder shows the report.
     */
    @Test
    void renderedScriptsSubmittedByHandEndWithTheReport() throws Exception {
        Path dir = workDir("rendered");
        Study s = study(dir, "tiny_rendered");
        Path outputs = dir.resolve("out");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        assertEquals(0, Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), "slurm", "render",
                s.config().toString(), "--outputs", outputs.toString()), out + "\n" + err);
        StepStore store = new StepStore(Studies.studyDir(outputs, s.study()));
        Path submit = store.root().resolve("slurm/submit.sh");
        ProcessBuilder pb = new ProcessBuilder("bash", submit.toString()).redirectErrorStream(true);
        pb.environment().putAll(clusterEnv());
        pb.environment().remove("SLURM_JWT"); // sbatch authenticates with munge, as on a login node
        Process p = pb.start();
        String submitted = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), submitted);
        try {
            // every stage asks for the stage defaults (configs/presets/slurm-stages.yaml) under the study's
            // section (time 10, 1 cpu), as scontrol shows them (what squeue -o '%l %m %C' lists)
            io.mergelab.slurm.SlurmSettings settings = io.mergelab.slurm.SlurmSettings.forStudy(
                    (Map<?, ?>) s.study().executor().options().get("slurm"), "test", Path.of("").toAbsolutePath());
            java.util.regex.Matcher stage = java.util.regex.Pattern.compile("(?m)^([\\w-]+): job (\\d+) ")
                    .matcher(submitted);
            int stages = 0;
            while (stage.find()) {
                stages++;
                io.mergelab.slurm.Resources want = settings.forStage(stage.group(1));
                Process show = new ProcessBuilder("scontrol", "show", "job", "-o", stage.group(2))
                        .redirectErrorStream(true).start();
                String job = new String(show.getInputStream().readAllBytes());
                assertEquals(0, show.waitFor(), job);
                String time = String.format("TimeLimit=%02d:%02d:00",
                        io.mergelab.slurm.Resources.timeMinutes(want.time()) / 60,
                        io.mergelab.slurm.Resources.timeMinutes(want.time()) % 60);
                assertTrue(job.contains(time) && job.contains("MinMemoryNode=" + want.mem())
                        && job.contains("MinCPUsNode=" + want.cpusPerTask()), stage.group(1) + ": " + want + "\n" + job);
            }
            try (var scripts = Files.list(store.root().resolve("slurm"))) {
                assertEquals(scripts.filter(f -> f.toString().endsWith(".sbatch")).count(), stages, submitted);
            }
            assertTrue(submitted.contains("finetune: job ") && settings.forStage("finetune").mem().equals("8G"));
            assertTrue(Files.readString(store.root().resolve("slurm/finetune.sbatch"))
                    .contains("export MERGELAB_JAVA_OPTS=\"-Xmx$(( SLURM_MEM_PER_NODE / 2 ))m\""));
            Path report = store.root().resolve("report/results.csv");
            long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            while (!(Files.isRegularFile(report) && s.plan().steps().stream().allMatch(st -> store.isDone(st.id())))) {
                if (System.nanoTime() > deadline) {
                    StringWriter status = new StringWriter();
                    Main.execute(new PrintWriter(status, true), new PrintWriter(status, true), "slurm", "jobs",
                            store.root().toString());
                    throw new AssertionError("no report after 5 minutes; submitted:\n" + submitted + status);
                }
                Thread.sleep(500);
            }
            String csv = Files.readString(report);
            assertTrue(csv.contains("linear") && csv.contains("yelp_0"), csv);
            // the same report as a local run of the study (and so as the executor's, tinyStudyOnSlurm...)
            Path localOut = dir.resolve("local");
            assertTrue(new LocalExecutor(2).execute(s.plan(), new StepStore(Studies.studyDir(localOut, s.study())),
                    new StepListener() { }).ok());
            assertEquals(Files.readString(Studies.studyDir(localOut, s.study()).resolve("report/results.csv")), csv);

            // one job view: status, `slurm jobs` and cancel know the hand-submitted jobs as they know the executor's
            StringWriter status = new StringWriter();
            assertEquals(0, Main.execute(new PrintWriter(status, true), new PrintWriter(status, true), "status",
                    store.root().toString()), status.toString());
            SubmissionRecord record = SubmissionRecord.read(store.root());
            assertEquals(s.plan().steps().size(), record.tasks().size());
            for (StudySubmission.TaskRef t : record.tasks().values()) {
                assertTrue(status.toString().lines().anyMatch(l -> l.startsWith(t.stepId()) && l.contains(" COMPLETED ")
                        && l.contains(t.jobId() + "_" + t.index())), t + " in\n" + status);
            }
            StringWriter jobs = new StringWriter();
            assertEquals(0, Main.execute(new PrintWriter(jobs, true), new PrintWriter(jobs, true), "slurm", "jobs",
                    store.root().toString()), jobs.toString());
            assertTrue(jobs.toString().contains("COMPLETED"), jobs.toString());
            StringWriter cancel = new StringWriter();
            assertEquals(0, Main.execute(new PrintWriter(cancel, true), new PrintWriter(cancel, true), "cancel",
                    store.root().toString()), cancel.toString());
            assertTrue(cancel.toString().contains("nothing cancelled"), cancel.toString());
        } finally {
            for (String line : submitted.lines().toList()) { // "stage: job N (k tasks)"
                java.util.regex.Matcher m = java.util.regex.Pattern.compile(": job (\\d+) ").matcher(line);
                if (m.find()) {
                    new ProcessBuilder("scancel", m.group(1)).inheritIO().start().waitFor();
                }
            }
        }
    }
}
