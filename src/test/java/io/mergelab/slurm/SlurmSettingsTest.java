package io.mergelab.slurm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every Slurm stage asks for a time, memory and CPUs: the shipped stage defaults under a study's section. */
class SlurmSettingsTest {
    static final Path HOME = Path.of("").toAbsolutePath();

    @Test
    void everyStageOfTheShippedDefaultsAsksForTimeMemoryAndCpus() {
        SlurmSettings s = SlurmSettings.forStudy(null, "study.yaml: executor.slurm", HOME);
        for (String stage : List.of("base", "data", "pretrain", "finetune", "search", "merge", "evaluate",
                "evaluate-2", "ensemble", "stacker", "report", "some_future_kind")) {
            Resources r = s.forStage(stage);
            assertTrue(r.time() != null && r.mem() != null && r.cpusPerTask() != null, stage + ": " + r);
            // half the memory goes to the JVM heap: at least 1 GB of it
            assertTrue(Resources.memMegabytes(r.mem()) >= 2048, stage + ": " + r.mem());
        }
        assertEquals("08:00:00", s.forStage("finetune").time());
        assertEquals(s.forStage("evaluate"), s.forStage("evaluate-2"), "a second wave takes its kind's values");
        assertEquals(SlurmSettings.DEFAULT_WAIT_HOURS, s.waitHours());
    }

    @Test
    void aStudysSectionBeatsTheDefaultsAndItsStagesBeatItsSection(@TempDir Path home) throws Exception {
        Files.createDirectories(home.resolve("configs/presets"));
        Files.writeString(home.resolve(SlurmSettings.STAGE_DEFAULTS), "slurm:\n  time: \"01:00:00\"\n  mem: 4G\n"
                + "  cpus_per_task: 2\n  stages:\n    finetune: {time: \"08:00:00\", mem: 8G}\n");
        SlurmSettings s = SlurmSettings.forStudy(Map.of("time", "00:10:00", "partition", "debug", "wait_hours", 2,
                "stages", Map.of("finetune", Map.of("cpus_per_task", 4))), "s.yaml: executor.slurm", home);
        Resources ft = s.forStage("finetune");
        assertEquals("00:10:00", ft.time(), "the study's section beats the defaults' per-stage value");
        assertEquals("8G", ft.mem(), "what the study leaves open comes from the defaults' stage");
        assertEquals(4, ft.cpusPerTask(), "the study's stage beats everything");
        assertEquals("debug", ft.partition());
        Resources merge = s.forStage("merge");
        assertEquals("00:10:00", merge.time());
        assertEquals("4G", merge.mem());
        assertEquals(2, merge.cpusPerTask());
        assertEquals(2.0, s.waitHours());

        // no defaults file: the study's section alone
        Files.delete(home.resolve(SlurmSettings.STAGE_DEFAULTS));
        assertEquals(null, SlurmSettings.forStudy(Map.of(), "s", home).forStage("finetune").mem());
    }

    @Test
    void aHeapThatDoesNotFitAStagesMemoryIsRefused() {
        SlurmSettings s = SlurmSettings.forStudy(Map.of("stages", Map.of("report", Map.of("mem", "2G"))), "s.yaml: "
                + "executor.slurm", HOME);
        s.checkHeap(null, List.of("finetune", "report"), "s");
        s.checkHeap("-Xss4m", List.of("finetune", "report"), "s");
        s.checkHeap("-Xmx1g", List.of("finetune", "report"), "s");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> s.checkHeap("-Xmx1g -Xmx2048m", List.of("finetune", "report"), "s.yaml: executor.slurm"));
        assertEquals("s.yaml: executor.slurm: the JVM heap 2048 MB (MERGELAB_JAVA_OPTS -Xmx1g -Xmx2048m) does not "
                + "fit stage report's mem 2G; lower -Xmx (libtorch needs memory beside it) or raise "
                + "executor.slurm.stages.report.mem", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SlurmSettings.forStudy(Map.of("wait_hours", 0), "s", HOME));
    }
}
