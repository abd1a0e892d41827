package io.mergelab.pipeline;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code run --only}'s per-step locking and the Slurm job record kept in the step folder (no cluster needed). */
class StepLockTest {

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
