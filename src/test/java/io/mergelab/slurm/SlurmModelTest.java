package io.mergelab.slurm;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Decoding of what Slurm prints; values taken from the real cluster (tools/slurm/README.md). */
class SlurmModelTest {

    @Test
    void waitStatusFromRestDecodesLikeScontrol() {
        assertEquals(new ExitStatus(0, 0), ExitStatus.fromWaitStatus(0));
        assertEquals(new ExitStatus(2, 0), ExitStatus.fromWaitStatus(512));
        assertEquals(new ExitStatus(3, 0), ExitStatus.fromWaitStatus(768));
        assertEquals(new ExitStatus(8, 0), ExitStatus.fromWaitStatus(2048));
        assertEquals(new ExitStatus(0, 15), ExitStatus.fromWaitStatus(15));
        assertEquals("3:0", ExitStatus.parse("3:0").toString());
        assertEquals(new ExitStatus(0, 15), ExitStatus.parse("0:15"));
        assertThrows(IllegalArgumentException.class, () -> ExitStatus.parse("x:y"));
    }

    @Test
    void statesParseFromAllToolsSpellings() {
        assertEquals(JobState.CANCELLED, JobState.parse("CANCELLED by 0"));
        assertEquals(JobState.CANCELLED, JobState.parse("cancelled+"));
        assertEquals(JobState.PENDING, JobState.parse("PD"));
        assertEquals(JobState.OUT_OF_MEMORY, JobState.parse("OUT_OF_MEMORY"));
        assertEquals(JobState.UNKNOWN, JobState.parse("SOMETHING_NEW"));
        assertTrue(JobState.TIMEOUT.isTerminal());
        assertFalse(JobState.COMPLETING.isTerminal());
    }

    @Test
    void scontrolRecordOfAnArrayTaskBehindAFailedDependency() {
        String line = "JobId=12 ArrayJobId=10 ArrayTaskId=2 JobName=my study-finetune UserId=root(0) GroupId=root(0) "
                + "Priority=4294901754 JobState=PENDING Reason=DependencyNeverSatisfied Dependency=afterok:9(failed) "
                + "Requeue=1 Restarts=1 ExitCode=0:0 SubmitTime=2026-11-23T12:00:00 StartTime=Unknown "
                + "EndTime=Unknown StdOut=/tmp/x/finetune-10_2.out";
        JobInfo j = SlurmCliClient.parseRecord(line);
        assertEquals("12", j.jobId());
        assertEquals("10_2", j.displayId());
        assertEquals("my study-finetune", j.name());
        assertEquals(JobState.PENDING, j.state());
        assertTrue(j.dependencyNeverSatisfied());
        assertTrue(j.isSettled());
        assertEquals("afterok:9(failed)", j.dependency());
        assertEquals(1, j.restartCount());
        assertNull(j.startTime());
        assertEquals("/tmp/x/finetune-10_2.out", j.stdout());
    }

    @Test
    void resourcesFromConfigWithStageOverrides() {
        SlurmSettings s = SlurmSettings.fromMap(Map.of("partition", "cpu", "time", "02:00:00", "cpus_per_task", 4,
                "extra", List.of("#SBATCH --mail-type=END"),
                "stages", Map.of("finetune", Map.of("partition", "gpu", "gpus", 1, "mem", "32G"))), "x.yaml: executor.slurm");
        assertEquals(List.of("--partition=cpu", "--time=02:00:00", "--cpus-per-task=4", "--mail-type=END"),
                s.forStage("merge").sbatchOptions());
        assertEquals(List.of("--partition=gpu", "--time=02:00:00", "--mem=32G", "--cpus-per-task=4", "--gpus=1",
                "--mail-type=END"), s.forStage("finetune").sbatchOptions());
        assertEquals(120, Resources.timeMinutes("02:00:00"));
        assertEquals(1440 + 90, Resources.timeMinutes("1-01:30"));
        assertEquals(5, Resources.timeMinutes("5"));
        assertEquals(32768, Resources.memMegabytes("32G"));
        assertEquals(500, Resources.memMegabytes("500"));
    }

    @Test
    void badConfigValuesNameTheField() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SlurmSettings.fromMap(Map.of("time", "two hours"), "x.yaml: executor.slurm"));
        assertEquals("x.yaml: executor.slurm.time: 'two hours' is not a Slurm time (minutes, H:MM:SS or D-HH:MM:SS)",
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> SlurmSettings.fromMap(Map.of("stages", Map.of("merge", Map.of("gpu", 1))), "x.yaml: executor.slurm"));
        assertTrue(e.getMessage().startsWith("x.yaml: executor.slurm.stages.merge.gpu: unknown key"), e.getMessage());
    }

    @Test
    void stopBeforeLimitCountsBackFromTheTimeLimitOfEachStage() {
        SlurmSettings s = SlurmSettings.fromMap(Map.of("time", "00:30:00", "stop_before_limit", 120,
                "stages", Map.of("finetune", Map.of("time", "2-00:00:00"), "report", Map.of("stop_before_limit", 30))),
                "x.yaml: executor.slurm");
        assertEquals(30 * 60 - 120, s.forStage("merge").stopSignalDelaySeconds("w"));
        assertEquals(2 * 86400 - 120, s.forStage("finetune").stopSignalDelaySeconds("w"));
        assertEquals(30 * 60 - 30, s.forStage("report").stopSignalDelaySeconds("w"));
        assertEquals(60 - 50, new Resources(null, null, null, "0:30", null, null, null, null, 50, null, List.of())
                .stopSignalDelaySeconds("w"), "Slurm rounds a limit up to whole minutes");
        assertNull(SlurmSettings.fromMap(Map.of("time", "5"), "w").forStage("merge").stopSignalDelaySeconds("w"));
        assertEquals(List.of("--time=00:30:00"), s.forStage("merge").sbatchOptions(), "no sbatch option of its own");
    }

    @Test
    void stopBeforeLimitNeedsALimitLongerThanItself() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SlurmSettings.fromMap(
                Map.of("time", "2", "stop_before_limit", 120), "x.yaml: executor.slurm"));
        assertEquals("x.yaml: executor.slurm.stop_before_limit: 120 s is not shorter than the time limit 2 (120 s)",
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SlurmSettings.fromMap(Map.of("time", "60",
                "stages", Map.of("merge", Map.of("time", "1", "stop_before_limit", 90))), "x.yaml: executor.slurm"));
        assertEquals("x.yaml: executor.slurm.stages.merge.stop_before_limit: 90 s is not shorter than the time limit 1 "
                + "(60 s)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SlurmSettings.fromMap(
                Map.of("stop_before_limit", "2m"), "x.yaml: executor.slurm"));
        assertEquals("x.yaml: executor.slurm.stop_before_limit: expected whole seconds (e.g. 120), got '2m'",
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SlurmSettings.fromMap(
                Map.of("stop_before_limit", 0), "x.yaml: executor.slurm"));
        assertEquals("x.yaml: executor.slurm.stop_before_limit: expected a positive number of seconds, got 0",
                e.getMessage());
        Resources noLimit = SlurmSettings.fromMap(Map.of("stop_before_limit", 60), "x.yaml: executor.slurm")
                .forStage("merge");
        e = assertThrows(IllegalArgumentException.class, () -> noLimit.stopSignalDelaySeconds("x.yaml: executor.slurm"));
        assertEquals("x.yaml: executor.slurm.stop_before_limit: 60 s needs a time limit to count back from; set time "
                + "as well", e.getMessage());
    }

    @Test
    void tokenNeverAppearsInTokenSourceDescription() {
        assertFalse(TokenSource.fixed("secret.jwt.value").toString().contains("secret"));
    }
}
