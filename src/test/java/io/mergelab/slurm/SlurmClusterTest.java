package io.mergelab.slurm;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Against the real single-node cluster of {@code bin/slurm-local start} (slurmctld, slurmd, slurmrestd
 * with JWT): no mocks. Every job is a few lines of bash, so the class runs in well under a minute.
 */
@Tag("slurm")
class SlurmClusterTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    /** A failed test must not leave jobs holding the node's two CPUs for the next one. */
    @org.junit.jupiter.api.AfterEach
    void cancelLeftoverTestJobs() {
        SlurmCliClient cli = LocalCluster.cli();
        for (String prefix : List.of("mergelab", "demo-", "sub-")) { // names of this class's jobs
            cli.queued(prefix).stream().map(id -> id.replaceAll("_.*", "")).distinct().forEach(cli::cancel);
        }
    }

    private static String script(String... lines) {
        return "#!/bin/bash\nset -eu\n" + String.join("\n", lines) + "\n";
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"rest", "cli"})
    void submitsAJobAndSeesItComplete(String kind) throws IOException {
        SlurmClient client = LocalCluster.client(kind);
        Path dir = LocalCluster.workDir("hello-" + kind);
        long t0 = System.nanoTime();
        String id = client.submit(JobSpec.builder("mergelab-test-hello", script("echo \"hello $GREETING\" > out.txt"))
                .workDir(dir).stdout(dir.resolve("job-%j.out").toString()).env("GREETING", "from " + kind)
                .resources(new Resources("debug", null, null, "5", "100M", 1, null, null, null, null, List.of())).build());
        long submitted = System.nanoTime();
        JobInfo done = client.awaitSettled(id, WAIT).get(0);
        long completed = System.nanoTime();
        System.out.printf("[slurm] %s: submit %d ms, submit -> COMPLETED %d ms (job %s)%n", client.describe(),
                (submitted - t0) / 1_000_000, (completed - t0) / 1_000_000, id);

        assertEquals(JobState.COMPLETED, done.state(), done.toString());
        assertEquals(ExitStatus.NONE, done.exit());
        assertEquals(id, done.jobId());
        assertEquals("mergelab-test-hello", done.name());
        assertEquals("hello from " + kind + "\n", Files.readString(dir.resolve("out.txt")));
        assertTrue(done.endTime() != null && !done.endTime().isBefore(done.startTime()), done.toString());
    }

    @Test
    void arrayTasksAllFinishBeforeTheirAfterOkDependentStarts() throws IOException {
        SlurmClient rest = LocalCluster.rest();
        Path dir = LocalCluster.workDir("chain");
        String array = rest.submit(JobSpec.builder("mergelab-test-array",
                script("sleep 1", "date +%s%N > \"task-$SLURM_ARRAY_TASK_ID.end\"")).workDir(dir).array(3)
                .stdout(dir.resolve("array-%A_%a.out").toString()).build());
        String after = rest.submit(JobSpec.builder("mergelab-test-after",
                script("start=$(date +%s%N)", "for i in 0 1 2; do [ -f task-$i.end ]; [ \"$(cat task-$i.end)\" -le \"$start\" ]; done",
                        "echo ok > after.ok")).workDir(dir).afterOk(array)
                .stdout(dir.resolve("after-%j.out").toString()).build());

        JobInfo pending = rest.job(after);
        assertTrue(pending.state() == JobState.PENDING && pending.dependency().startsWith("afterok:" + array),
                pending + " waits on " + pending.dependency());

        List<JobInfo> tasks = rest.awaitSettled(array, WAIT);
        assertEquals(3, tasks.size(), tasks.toString());
        assertEquals(List.of(0, 1, 2), tasks.stream().map(JobInfo::arrayTaskId).sorted().toList());
        tasks.forEach(t -> assertEquals(JobState.COMPLETED, t.state(), t.toString()));
        JobInfo dependent = rest.awaitSettled(after, WAIT).get(0);
        assertEquals(JobState.COMPLETED, dependent.state(), dependent + ": " + read(dir, "after-" + after + ".out"));
        assertEquals("ok\n", Files.readString(dir.resolve("after.ok")));
    }

    @Test
    void aFailedParentLeavesItsDependentPendingAndBothClientsSayWhy() {
        SlurmClient rest = LocalCluster.rest();
        SlurmClient cli = LocalCluster.cli();
        Path dir = LocalCluster.workDir("failing");
        String parent = cli.submit(JobSpec.builder("mergelab-test-fails", script("echo failing on purpose >&2", "exit 3"))
                .workDir(dir).stdout(dir.resolve("fail-%j.out").toString()).build());
        String child = rest.submit(JobSpec.builder("mergelab-test-never", script("touch ran"))
                .workDir(dir).afterOk(parent).stdout(dir.resolve("never-%j.out").toString()).build());

        JobInfo failedRest = rest.awaitSettled(parent, WAIT).get(0);
        JobInfo failedCli = cli.job(parent);
        assertEquals(JobState.FAILED, failedRest.state());
        assertEquals(new ExitStatus(3, 0), failedRest.exit(), "REST's raw wait status 768 decodes to 3:0");
        assertEquals(failedRest.exit(), failedCli.exit(), "scontrol agrees");
        assertEquals("NonZeroExitCode", failedCli.reason());

        for (SlurmClient c : List.of(rest, cli)) {
            JobInfo stuck = c.awaitSettled(child, WAIT).get(0);
            assertTrue(stuck.dependencyNeverSatisfied(), c.describe() + ": " + stuck);
            assertTrue(stuck.dependency().contains(parent + "(failed)"), stuck.dependency());
            assertFalse(stuck.state().isTerminal());
        }
        rest.cancel(child);
        JobInfo cancelled = cli.awaitSettled(child, WAIT).get(0);
        assertEquals(JobState.CANCELLED, cancelled.state());
        assertFalse(Files.exists(dir.resolve("ran")));
    }

    @Test
    void aRunningJobIsRequeuedRunsAgainAndIsCancelled() throws IOException {
        SlurmClient rest = LocalCluster.rest();
        Path dir = LocalCluster.workDir("requeue");
        String id = rest.submit(JobSpec.builder("mergelab-test-requeue",
                script("echo \"start restart=${SLURM_RESTART_COUNT:-0}\" >> starts.txt", "sleep 120"))
                .workDir(dir).stdout(dir.resolve("rq-%j.out").toString()).requeue(true).build());
        rest.await(id, WAIT, j -> j.state() == JobState.RUNNING);
        waitForLines(dir.resolve("starts.txt"), 1); // RUNNING comes before the script's first line

        long t0 = System.nanoTime();
        rest.requeue(id); // v0.0.38 has no endpoint: scontrol requeue
        JobInfo again = rest.await(id, WAIT, j -> j.state() == JobState.RUNNING && j.restartCount() == 1).get(0);
        System.out.printf("[slurm] requeue -> RUNNING again: %d ms%n", (System.nanoTime() - t0) / 1_000_000);
        waitForLines(dir.resolve("starts.txt"), 2);
        assertEquals(List.of("start restart=0", "start restart=1"), Files.readAllLines(dir.resolve("starts.txt")));
        assertEquals(1, again.restartCount());

        rest.cancel(id);
        JobInfo cancelled = rest.awaitSettled(id, WAIT).get(0);
        assertEquals(JobState.CANCELLED, cancelled.state(), cancelled.toString());
        rest.cancel(id); // a finished job: no-op, no error
    }

    @Test
    void aWrongJwtGivesAClearErrorThatNeverShowsTheToken() {
        Map<String, String> env = LocalCluster.env();
        String good = env.get("SLURM_JWT");
        // a well-formed token with a broken signature, and plain garbage
        String tampered = good.substring(0, good.length() - 6) + (good.endsWith("AAAAAA") ? "BBBBBB" : "AAAAAA");
        for (String bad : List.of(tampered, "not-a-jwt-" + Long.toHexString(System.nanoTime()))) {
            SlurmRestClient client = new SlurmRestClient(URI.create(env.get("SLURM_REST_URL")), env.get("SLURM_USER"),
                    TokenSource.fixed(bad), env);
            SlurmException e = assertThrows(SlurmException.AuthenticationFailed.class, client::ping);
            assertTrue(e.getMessage().contains("rejected the JWT for user '" + env.get("SLURM_USER") + "'"), e.getMessage());
            assertFalse(e.getMessage().contains(bad), "token in message: " + e.getMessage());
            SlurmException submit = assertThrows(SlurmException.AuthenticationFailed.class,
                    () -> client.submit(JobSpec.builder("mergelab-test-badjwt", script("true")).build()));
            assertFalse(submit.getMessage().contains(bad), submit.getMessage());
            assertFalse(String.valueOf(submit.getCause()).contains(bad));

            Map<String, String> badEnv = new java.util.HashMap<>(env);
            badEnv.put("SLURM_JWT", bad);
            List<String> warnings = new ArrayList<>();
            assertThrows(SlurmException.AuthenticationFailed.class,
                    () -> SlurmClients.fromEnvironment(badEnv, warnings::add), "no silent fallback on a bad token");
            assertEquals(List.of(), warnings);
        }
    }

    @Test
    void aTokenCommandSuppliesTheJwt() {
        Map<String, String> env = new java.util.HashMap<>(LocalCluster.env());
        env.remove("SLURM_JWT");
        env.put("SLURM_JWT_COMMAND", "env -u SLURM_JWT scontrol token lifespan=120");
        List<String> warnings = new ArrayList<>();
        SlurmClient client = SlurmClients.fromEnvironment(env, warnings::add);
        assertInstanceOf(SlurmRestClient.class, client);
        assertEquals(List.of(), warnings);
        assertTrue(((SlurmRestClient) client).ping().endsWith("UP"));
    }

    @Test
    void slurmrestdDownFallsBackToTheCliWithAMessage() throws IOException {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        Map<String, String> env = LocalCluster.cliEnv();
        env.put("SLURM_REST_URL", "http://127.0.0.1:" + closedPort);
        env.put("SLURM_JWT", LocalCluster.env().get("SLURM_JWT"));
        List<String> warnings = new ArrayList<>();
        SlurmClient client = SlurmClients.fromEnvironment(env, warnings::add);

        assertInstanceOf(SlurmCliClient.class, client);
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).startsWith("slurmrestd at http://127.0.0.1:" + closedPort + " is not reachable ("),
                warnings.get(0));
        assertTrue(warnings.get(0).endsWith("; falling back to sbatch/squeue/scontrol on PATH"), warnings.get(0));
        assertFalse(warnings.get(0).contains(env.get("SLURM_JWT")));

        Path dir = LocalCluster.workDir("fallback");
        String id = client.submit(JobSpec.builder("mergelab-test-fallback", script("true")).workDir(dir)
                .stdout(dir.resolve("fb-%j.out").toString()).build());
        assertEquals(JobState.COMPLETED, client.awaitSettled(id, WAIT).get(0).state());

        // and with slurmrestd up, the REST client is chosen
        assertInstanceOf(SlurmRestClient.class, SlurmClients.fromEnvironment(LocalCluster.env(), warnings::add));
    }

    @Test
    void renderedStudyRunsThroughSubmitShInOrderAndRecordsJobIds() throws IOException {
        Path home = Path.of("").toAbsolutePath();
        Path study = LocalCluster.workDir("render-study");
        List<SlurmStage> stages = orderedStages(study);
        SlurmSettings settings = SlurmSettings.fromMap(Map.of("partition", "debug", "time", "00:05:00",
                "mem", "100M", "stages", Map.of("report", Map.of("time", "00:02:00"))), "test executor.slurm");
        RenderedScripts r = new SbatchRenderer(home).render("demo", study, stages, settings);

        Path elsewhere = LocalCluster.workDir("submit-from-elsewhere");
        Shell submit = Shell.run(elsewhere, LocalCluster.cliEnv(), "bash", r.submitScript().toString());
        assertEquals(0, submit.exit(), submit.output());
        Properties ids = new Properties();
        try (var in = Files.newBufferedReader(r.slurmDir().resolve("submitted.txt"))) {
            ids.load(in);
        }
        SlurmClient cli = LocalCluster.cli();
        for (String stage : List.of("finetune", "merge", "report")) {
            List<JobInfo> jobs = cli.awaitSettled(ids.getProperty(stage), WAIT);
            for (JobInfo j : jobs) {
                assertEquals(JobState.COMPLETED, j.state(), j + " log: " + read(study.resolve("logs"),
                        stage + "-" + j.arrayJobId() + "_" + j.arrayTaskId() + ".out"));
            }
        }
        assertOrderedRun(study, ids.getProperty("finetune"));
    }

    @Test
    void renderedStagesSubmitThroughTheRestClientAsTheExecutorWill() throws IOException {
        Path home = Path.of("").toAbsolutePath();
        Path study = LocalCluster.workDir("rest-study");
        SbatchRenderer renderer = new SbatchRenderer(home);
        SlurmSettings settings = SlurmSettings.fromMap(Map.of("time", "00:05:00"), "test executor.slurm");
        SlurmClient rest = LocalCluster.rest();
        Files.createDirectories(SbatchRenderer.logsDir(study));
        Map<String, String> ids = new java.util.LinkedHashMap<>();
        for (SlurmStage stage : orderedStages(study)) {
            List<String> parents = stage.after().stream().map(ids::get).toList();
            ids.put(stage.name(), rest.submit(renderer.jobSpec("demo", study, stage, settings, parents)));
        }
        for (String id : ids.values()) {
            rest.awaitSettled(id, WAIT).forEach(j -> assertEquals(JobState.COMPLETED, j.state(), j.toString()));
        }
        assertOrderedRun(study, ids.get("finetune"));
    }

    /**
     * stop_before_limit over both paths: the task (a child of the job script, as the JVM is) gets SIGTERM 10 s
     * into its 1-minute limit and, with no max_requeues, ends FAILED 143, long before Slurm's TIMEOUT; a task
     * that ends by itself is not held back by the waiting sleeper. The requeue that follows with max_requeues is
     * SlurmExecutorTest's real fine-tune.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"rest", "cli"})
    void stopBeforeLimitSignalsTheTaskBeforeTheTimeLimit(String kind) throws IOException {
        Path home = Path.of("").toAbsolutePath();
        Path study = LocalCluster.workDir("stop-before-limit-" + kind);
        Files.createDirectories(SbatchRenderer.logsDir(study));
        SlurmSettings settings = SlurmSettings.fromMap(Map.of("time", "1", "stop_before_limit", 50), "test");
        SlurmClient client = LocalCluster.client(kind);
        String trapped = "exec bash -c 'trap \"date +%s > " + study.resolve("term.at") + "; exit 143\" TERM; "
                + "date +%s > " + study.resolve("start.at") + "; while :; do sleep 0.2; done'";
        SlurmStage waits = new SlurmStage("waits", List.of(new StageTask(study.resolve("steps/waits"), List.of(trapped))),
                List.of());
        SlurmStage quick = new SlurmStage("quick", List.of(new StageTask(study.resolve("steps/quick"),
                List.of("exec true"))), List.of());
        String waitsId = client.submit(new SbatchRenderer(home).jobSpec("demo", study, waits, settings, List.of()));
        String quickId = client.submit(new SbatchRenderer(home).jobSpec("demo", study, quick, settings, List.of()));

        JobInfo q = client.awaitSettled(quickId, Duration.ofSeconds(30)).get(0);
        assertEquals(JobState.COMPLETED, q.state(), q + " (a sleeper left waiting must not keep the job alive)");
        JobInfo w = client.awaitSettled(waitsId, Duration.ofSeconds(50)).get(0);
        String log = read(SbatchRenderer.logsDir(study), "waits-" + waitsId + "_0.out");
        assertEquals(JobState.FAILED, w.state(), w + " log: " + log);
        assertEquals(new ExitStatus(143, 0), w.exit(), w.toString());
        long after = Long.parseLong(Files.readString(study.resolve("term.at")).strip())
                - Long.parseLong(Files.readString(study.resolve("start.at")).strip());
        assertTrue(after >= 5 && after <= 15, "SIGTERM " + after + " s after the start, expected about 10");
    }

    @Test
    void aStudySubmissionReportsEachStepAndAFailedStepStopsItsDependents() {
        Path study = LocalCluster.workDir("submission");
        Path m = study.resolve("m");
        List<StepRef> steps = List.of(
                new StepRef("prep-1", "prep", List.of(), study.resolve("jobs/prep-1"), List.of("mkdir -p " + m, "touch " + m + "/prep")),
                new StepRef("work-ok", "work", List.of("prep-1"), null, List.of("test -f " + m + "/prep")),
                new StepRef("work-bad", "work", List.of("prep-1"), null, List.of("echo broken >&2", "exit 4")),
                new StepRef("sum-1", "sum", List.of("work-ok", "work-bad", "done-earlier"), null, List.of("touch " + m + "/sum")));
        StudySubmission sub = StudySubmission.submit(LocalCluster.rest(), new SbatchRenderer(Path.of("").toAbsolutePath()),
                "sub", study, steps, SlurmSettings.DEFAULTS);
        assertEquals(List.of("prep", "work", "sum"), List.copyOf(sub.stageJobs().keySet()));
        assertEquals(1, sub.tasks().get("work-bad").index());

        List<Map<String, JobInfo>> snapshots = new ArrayList<>();
        Map<String, JobInfo> last = sub.await(Duration.ofMillis(250), snapshots::add, WAIT);
        assertEquals(JobState.COMPLETED, last.get("prep-1").state());
        assertEquals(JobState.COMPLETED, last.get("work-ok").state());
        assertEquals(JobState.FAILED, last.get("work-bad").state());
        assertEquals(new ExitStatus(4, 0), last.get("work-bad").exit());
        // await returns once work-bad failed; Slurm flips the reason Dependency -> DependencyNeverSatisfied on
        // its next scheduler pass, which await does not wait for
        assertEquals(JobState.PENDING, last.get("sum-1").state(), last.get("sum-1").toString());
        assertTrue(snapshots.size() >= 2, "saw the states change: " + snapshots.size());

        sub.cancelAll();
        assertEquals(JobState.CANCELLED, LocalCluster.cli().awaitSettled(sub.stageJobs().get("sum"), WAIT).get(0).state());
        assertFalse(Files.exists(m.resolve("sum")));
    }

    /** A merge waits only for the fine-tune task it uses: a failed sibling task does not hold it back. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"rest", "cli"})
    void aStageWaitsOnlyForTheParentTasksItUses(String kind) {
        Path study = LocalCluster.workDir("per-task-" + kind);
        Path m = study.resolve("m");
        List<StepRef> steps = List.of(
                new StepRef("ft-0", "ft", List.of(), null, List.of("mkdir -p " + m, "sleep 1", "touch " + m + "/ft-0")),
                new StepRef("ft-1", "ft", List.of(), null, List.of("echo broken >&2", "exit 3")),
                new StepRef("merge-0", "merge", List.of("ft-0"), null, List.of("test -f " + m + "/ft-0", "touch " + m + "/merge-0")),
                new StepRef("eval-1", "eval", List.of("ft-1"), null, List.of("touch " + m + "/eval-1")));
        StudySubmission sub = StudySubmission.submit(LocalCluster.client(kind), new SbatchRenderer(Path.of("").toAbsolutePath()),
                "sub", study, steps, SlurmSettings.DEFAULTS);
        SlurmClient cli = LocalCluster.cli();
        String ft = sub.stageJobs().get("ft");
        JobInfo merge = cli.job(sub.stageJobs().get("merge"));
        JobInfo eval = cli.job(sub.stageJobs().get("eval"));
        // scontrol shows the submitted dependency while it waits (or "" once satisfied)
        assertTrue(merge.dependency().isEmpty() || merge.dependency().startsWith("afterok:" + ft + "_0"), merge.toString());
        assertTrue(eval.dependency().startsWith("afterok:" + ft + "_1"), eval.toString());

        Map<String, JobInfo> last = sub.await(Duration.ofMillis(250), s -> { }, WAIT);
        assertEquals(JobState.FAILED, last.get("ft-1").state());
        assertEquals(JobState.COMPLETED, last.get("merge-0").state(), last.toString());
        assertTrue(Files.exists(m.resolve("merge-0")));
        assertEquals(JobState.PENDING, last.get("eval-1").state(), last.get("eval-1").toString());
        sub.cancelAll();
        assertEquals(JobState.CANCELLED, cli.awaitSettled(sub.stageJobs().get("eval"), WAIT).get(0).state());
        assertFalse(Files.exists(m.resolve("eval-1")));
    }

    @Test
    void runExperimentScriptRunsAsOneJobFromAnyDirectory() throws IOException {
        Path repo = Path.of("").toAbsolutePath();
        Path dir = LocalCluster.workDir("run-experiment");
        Path fake = dir.resolve("fake-mergelab");
        Files.writeString(fake, "#!/bin/bash\necho \"mergelab $* (home $MERGELAB_HOME)\"\n");
        fake.toFile().setExecutable(true);
        Files.writeString(dir.resolve("study.yaml"), "name: tiny\n");
        Map<String, String> env = LocalCluster.cliEnv();
        env.put("MERGELAB_BIN", fake.toString());
        // from another directory, relative config; and from the repo root as users type it
        Shell fromElsewhere = Shell.run(dir, env, "sbatch", "--parsable", repo.resolve("bin/run_experiment.sh").toString(),
                "study.yaml", "--dry-run");
        Shell fromRoot = Shell.run(repo, env, "sbatch", "--parsable", "--output=" + dir.resolve("root-%j.out"),
                "bin/run_experiment.sh", repo.relativize(dir.resolve("study.yaml")).toString());
        assertEquals(0, fromElsewhere.exit(), fromElsewhere.output());
        assertEquals(0, fromRoot.exit(), fromRoot.output());
        SlurmClient cli = LocalCluster.cli();
        String a = fromElsewhere.output().strip();
        String b = fromRoot.output().strip();
        assertEquals(JobState.COMPLETED, cli.awaitSettled(a, WAIT).get(0).state(), read(dir, "mergelab-" + a + ".out"));
        assertEquals(JobState.COMPLETED, cli.awaitSettled(b, WAIT).get(0).state(), read(dir, "root-" + b + ".out"));
        String expected = "mergelab run " + dir.resolve("study.yaml");
        assertTrue(read(dir, "mergelab-" + a + ".out").contains(expected + " --dry-run (home " + repo + ")"),
                read(dir, "mergelab-" + a + ".out"));
        assertTrue(read(dir, "root-" + b + ".out").contains(expected + " (home " + repo + ")"), read(dir, "root-" + b + ".out"));
    }

    /** finetune (2 tasks) → merge → report, each checking its parents' marker files exist when it starts. */
    private static List<SlurmStage> orderedStages(Path study) {
        String m = study.resolve("markers").toString();
        return List.of(
                new SlurmStage("finetune", List.of(
                        new StageTask(study.resolve("steps/finetune-a"), List.of("mkdir -p " + m, "sleep 1", "touch " + m + "/ft0")),
                        new StageTask(study.resolve("steps/finetune-b"), List.of("mkdir -p " + m, "touch " + m + "/ft1"))),
                        List.of()),
                new SlurmStage("merge", List.of(new StageTask(study.resolve("steps/merge"),
                        List.of("test -f " + m + "/ft0 -a -f " + m + "/ft1", "touch " + m + "/merge"))), List.of("finetune")),
                new SlurmStage("report", List.of(new StageTask(study.resolve("steps/report"),
                        List.of("test -f " + m + "/merge", "touch " + m + "/report"))), List.of("finetune", "merge")));
    }

    private static void assertOrderedRun(Path study, String finetuneArrayId) throws IOException {
        assertTrue(Files.exists(study.resolve("markers/report")));
        Properties rec = new Properties();
        try (var in = Files.newBufferedReader(study.resolve("steps/finetune-b/" + SbatchRenderer.JOB_RECORD))) {
            rec.load(in);
        }
        assertEquals(finetuneArrayId, rec.getProperty("array_job_id"));
        assertEquals("1", rec.getProperty("array_task_id"));
        assertTrue(rec.getProperty("job_id").matches("\\d+"), rec.toString());
        Path log = study.resolve("logs/finetune-" + finetuneArrayId + "_1.out");
        assertEquals(log.toString(), rec.getProperty("log"));
        assertTrue(Files.readString(log).contains("demo/finetune task 1: job "), Files.readString(log));
    }

    private static void waitForLines(Path file, int n) throws IOException {
        long end = System.nanoTime() + WAIT.toNanos();
        while (!(Files.exists(file) && Files.readAllLines(file).size() >= n) && System.nanoTime() < end) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static String read(Path dir, String name) {
        try {
            return Files.readString(dir.resolve(name));
        } catch (IOException e) {
            return "(" + dir.resolve(name) + " unreadable: " + e.getMessage() + ")";
        }
    }
}
