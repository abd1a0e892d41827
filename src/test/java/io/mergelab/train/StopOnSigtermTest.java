package io.mergelab.train;

import io.mergelab.model.gpt2.ModelPreset;
import io.mergelab.slurm.JobInfo;
import io.mergelab.slurm.JobSpec;
import io.mergelab.slurm.JobState;
import io.mergelab.slurm.LocalCluster;
import io.mergelab.slurm.SlurmCliClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SIGTERM (what Slurm sends on scancel, requeue, preemption and at the time limit) between periodic checkpoints:
 * the trainer saves the step it reached and exits 143, and the rerun continues from that step to exactly the
 * weights of an uninterrupted run. Once as a plain child process, once as a Slurm job that is requeued.
 * 24 steps with periodic checkpoints only at epoch ends (step 15); the signal comes after step 10.
 */
@Tag("slow")
class StopOnSigtermTest {
    private static final int STEPS = 24;
    private static final String NO_PERIODIC = "1000"; // save_steps: only the epoch end (step 15) saves
    private static final Pattern STOPPED = Pattern.compile("stopped after step (\\d+) of " + STEPS
            + ": resume checkpoint (\\S+)");

    @TempDir
    static Path shared;
    @TempDir
    Path tmp;

    private static Path model;
    private static String classpath;
    private static Path straight;
    private final List<String> jobs = new ArrayList<>();

    /** The uninterrupted run to compare with, a child JVM like the others (torch's thread count is per process). */
    @BeforeAll
    static void uninterruptedRun() throws Exception {
        Path dir = shared.toAbsolutePath(); // the Slurm job runs elsewhere: no relative paths
        model = TrainFixtures.model(ModelPreset.TINY, dir);
        classpath = ResumeAfterKillTest.stableClasspath(dir.resolve("cp"));
        straight = dir.resolve("straight");
        Process p = start(straight, shared.resolve("straight.log"));
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "uninterrupted child did not finish");
        assertEquals(0, p.exitValue(), "uninterrupted child failed: " + Files.readString(shared.resolve("straight.log")));
    }

    @AfterEach
    void cancelJobs() {
        jobs.forEach(LocalCluster.cli()::cancel);
    }

    @Test
    void sigtermedChildSavesItsStepExits143AndTheRerunContinuesFromIt() throws Exception {
        Path out = tmp.resolve("stopped");
        Path log = tmp.resolve("child.log");
        Process first = start(out, log);
        awaitLine(log, "profile step 10:", first::isAlive);
        assertTrue(ResumeCheckpoints.latest(out).isEmpty(), "no periodic checkpoint yet");
        long t0 = System.nanoTime();
        first.destroy(); // SIGTERM
        assertTrue(first.waitFor(60, TimeUnit.SECONDS), "no exit after SIGTERM");
        System.out.printf("[train] SIGTERM -> exit %d after %d ms (machine load distorts this)%n", first.exitValue(),
                (System.nanoTime() - t0) / 1_000_000);
        assertEquals(128 + 15, first.exitValue(), Files.readString(log));
        int step = stoppedStep(out, log);

        Process second = start(out, log);
        assertTrue(second.waitFor(300, TimeUnit.SECONDS), "resumed child did not finish");
        assertEquals(0, second.exitValue(), Files.readString(log));
        assertResumedToTheSameWeights(out, log, step);
    }

    /**
     * A Slurm job whose batch script execs the JVM is requeued mid-run ({@code scontrol requeue}: SIGTERM, then
     * SIGKILL after KillWait); the requeued job resumes from the step the first attempt saved.
     */
    @Test
    @Tag("slurm")
    void requeuedSlurmJobResumesFromTheStepItWasStoppedAt() throws Exception {
        SlurmCliClient cli = LocalCluster.cli();
        Path dir = tmp.toAbsolutePath();
        Path out = dir.resolve("requeued");
        Path log = dir.resolve("job.log");
        Path attempts = dir.resolve("attempts.txt");
        // through bin/native-env, as mergelab's own job scripts start the JVM
        StringBuilder exec = new StringBuilder("exec '" + Path.of("bin/native-env").toAbsolutePath() + "'");
        for (String word : childCommand(out)) {
            exec.append(" '").append(word.replace("'", "'\\''")).append('\'');
        }
        String script = "#!/bin/bash\nset -eu\n"
                + "echo \"restart ${SLURM_RESTART_COUNT:-0}\" >> " + attempts + "\n"
                + exec + " >> " + log + " 2>&1\n"; // exec: the JVM is the batch step's process and gets the signal
        // from the checkout: the child reads data/ relative to it
        String id = cli.submit(JobSpec.builder("mergelab-test-requeue-finetune", script).workDir(Path.of("").toAbsolutePath())
                .stdout(dir.resolve("slurm-%j.out").toString()).requeue(true).build());
        jobs.add(id);
        awaitLine(log, "profile step 10:", () -> !cli.job(id).state().isTerminal());
        assertTrue(ResumeCheckpoints.latest(out).isEmpty(), "no periodic checkpoint yet");
        cli.requeue(id);
        JobInfo done = cli.await(id, Duration.ofSeconds(600), j -> j.state().isTerminal() && j.restartCount() >= 1)
                .get(0);
        assertEquals(JobState.COMPLETED, done.state(), done + "\n" + Files.readString(log));
        assertEquals(List.of("restart 0", "restart 1"), Files.readAllLines(attempts));
        int step = stoppedStep(out, log);
        assertResumedToTheSameWeights(out, log, step);
    }

    /**
     * The step the first attempt saved at: after the signal (step 10), at the latest the first periodic checkpoint's
     * (15): on an idle machine {@code scontrol requeue}'s SIGTERM has landed as late as step 15, whose checkpoint the
     * stop then writes (the path check below).
     */
    private static int stoppedStep(Path out, Path log) throws IOException {
        Matcher m = STOPPED.matcher(Files.readString(log));
        assertTrue(m.find(), "no 'stopped after step' line in\n" + Files.readString(log));
        int step = Integer.parseInt(m.group(1));
        assertTrue(step > 10 && step <= ResumeChild.STEPS_PER_EPOCH, "stopped at step " + step);
        assertEquals(out.resolve("checkpoints/checkpoint-" + step).toString(), m.group(2));
        System.out.printf("[train] stopped at step %d%n", step);
        return step;
    }

    private static void assertResumedToTheSameWeights(Path out, Path log, int step) throws IOException {
        String text = Files.readString(log);
        assertTrue(text.contains("resuming from " + out.resolve("checkpoints/checkpoint-" + step) + " (step " + step + ")"),
                "resumed from the saved step " + step + ":\n" + text);
        // same process layout on the same machine: bit-identical, as for the kill test
        WeightsComparison.assertBitIdentical(straight, out,
                "weights differ after resume");
        assertFalse(Files.exists(out.resolve("checkpoints")), "checkpoints are removed once finished");
    }

    private static Process start(Path out, Path log) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(childCommand(out)).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().put("OPT_OUT_TRACKING", "true");
        pb.environment().remove("PYTORCH_LIBRARY_PATH");
        return pb.start();
    }

    private static List<String> childCommand(Path out) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return List.of(java, "-Xmx2g", "-Dai.djl.offline=true", ResumeAfterKillTest.ONE_THREAD,
                "-Dmergelab.train.profile=true",
                "-Djava.io.tmpdir=" + Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath(), "-cp", classpath,
                ResumeChild.class.getName(), model.toString(), out.toString(), NO_PERIODIC, String.valueOf(STEPS));
    }

    private static void awaitLine(Path log, String line, java.util.function.BooleanSupplier alive) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
        while (System.nanoTime() < deadline) {
            if (Files.exists(log) && Files.readString(log).contains(line)) {
                return;
            }
            assertTrue(alive.getAsBoolean(), "ended before '" + line + "':\n" + (Files.exists(log) ? Files.readString(log) : ""));
            Thread.sleep(50);
        }
        throw new AssertionError("no '" + line + "' in 300 s");
    }
}
