package io.mergelab.pipeline;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code run --only}'s per-step locking and the Slurm job record kept in the step folder (no cluster needed). */
class StepLockTest {

    /**
     * A {@code run --only STEP} in another process is working on a step when a whole-study run starts: the
     * whole run must neither delete that process's work folder nor run the step a second time, but wait for
     * it and skip it as done.
     */
    @Test
    void aWholeRunSkipsAStepThatAConcurrentOnlyRunFinishes(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("study");
        Path log = tmp.resolve("commits.log");
        Plan plan = SyntheticStudy.plan(30, null);
        Step data = plan.steps().get(0);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process only = new ProcessBuilder(java, "-Dsynthetic.only=" + data.label(), "-Dsynthetic.millis=3000",
                "-cp", System.getProperty("java.class.path"), SyntheticStudy.class.getName(), dir.toString(),
                log.toString(), "1").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            Path work = dir.resolve(".tmp");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!hasEntries(work)) { // its work folder appears once it holds the step's lock
                assertTrue(only.isAlive(), "the --only run ended before it started the step");
                assertTrue(System.nanoTime() < deadline, "the --only run never started its step");
                Thread.sleep(20);
            }
            assertFalse(Files.exists(dir.resolve(data.id()).resolve(StepStore.DONE)), "too late: already done");

            RunSummary whole = new LocalExecutor(2).execute(plan, new StepStore(dir), SyntheticStudy.commitLog(log));

            assertEquals(0, only.waitFor(), "the --only run failed (its work folder removed under it?)");
            assertTrue(whole.ok(), whole.toString());
            assertEquals(List.of(data.id()), whole.skipped(), "the whole run skips the step the other run did");
            assertEquals(plan.steps().size() - 1, whole.ran().size());
            List<String> commits = Files.readAllLines(log);
            assertEquals(1, commits.stream().filter(data.id()::equals).count(), "the step ran twice: " + commits);
            assertEquals(plan.steps().size(), commits.size());
        } finally {
            only.destroyForcibly();
        }
    }

    private static boolean hasEntries(Path dir) throws java.io.IOException {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isPresent();
        }
    }

    @Test
    void aPerStepRunWorksWhileAnotherProcessHoldsTheStudyLock(@TempDir Path tmp) throws Exception {
        Plan plan = SyntheticStudy.plan(1, null);
        StepStore store = new StepStore(tmp.resolve("study"));
        try (StepStore.RunLock whole = store.lock()) { // e.g. the Slurm executor watching its jobs
            RunSummary s = new LocalExecutor(1, true).execute(plan, store, new StepListener() { });
            assertTrue(s.ok(), s.toString());
            assertEquals(plan.steps().size(), s.ran().size());
        }
    }

    @Test
    void commitKeepsTheSlurmJobRecordInTheStepFolder(@TempDir Path tmp) throws Exception {
        Plan plan = SyntheticStudy.plan(1, null);
        StepStore store = new StepStore(tmp.resolve("study"));
        Step first = plan.steps().get(0);
        Path rec = store.root().resolve("slurm-jobs").resolve(first.id()).resolve(StepStore.SLURM_JOB);
        Files.createDirectories(rec.getParent());
        Files.writeString(rec, "job_id=42\n");
        assertTrue(new LocalExecutor(1, true).execute(plan, store, new StepListener() { }).ok());
        assertEquals("job_id=42\n", Files.readString(store.dir(first.id()).resolve(StepStore.SLURM_JOB)));
    }
}
