package io.mergelab.pipeline;

import io.mergelab.yaml.ConfigException;
import io.mergelab.yaml.Mark;
import io.mergelab.config.StudyConfig;
import io.mergelab.model.hub.HubSettings;
import io.mergelab.slurm.SbatchRenderer;
import io.mergelab.slurm.SlurmSettings;
import io.mergelab.slurm.SlurmStage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A study's device on Slurm (GPUs for model stages) and its hub-id base model checked at planning. */
class StudyComputeTest {
    static final Mark MARK = new Mark("study.yaml", 4, 9);

    @TempDir
    Path tmp;

    static List<SlurmStage> stages() {
        return List.of(SlurmStage.uniform("data", 2, List.of("true"), List.of()),
                SlurmStage.uniform("finetune", 3, List.of("true"), List.of("data")),
                SlurmStage.uniform("merge", 1, List.of("true"), List.of("finetune")),
                SlurmStage.uniform("evaluate", 4, List.of("true"), List.of("merge")),
                SlurmStage.uniform("evaluate-2", 1, List.of("true"), List.of("evaluate")),
                SlurmStage.uniform("report", 1, List.of("true"), List.of("evaluate-2")));
    }

    @Test
    void cudaAsksSlurmForGpusOnModelStagesOnly() {
        SlurmSettings plain = SlurmSettings.fromMap(Map.of("partition", "gpu"), "x.yaml: executor.slurm");
        SlurmSettings s = StudyCompute.withGpus(plain, new StudyConfig.Compute("cuda", "fp32", MARK), stages());
        assertEquals("1", s.forStage("finetune").gpus());
        assertEquals("1", s.forStage("evaluate").gpus());
        assertEquals("1", s.forStage("evaluate-2").gpus());
        assertNull(s.forStage("data").gpus());
        assertNull(s.forStage("merge").gpus(), "merges run on ND4J's CPU backend");
        assertNull(s.forStage("report").gpus());
        assertEquals("gpu", s.forStage("finetune").partition(), "the section's other values stay");
        String script = new SbatchRenderer(tmp).stageScript("demo", tmp.resolve("study"), stages().get(1),
                s.forStage("finetune"));
        assertTrue(script.contains("#SBATCH --gpus=1"), script);

        assertEquals("2", StudyCompute.withGpus(plain, new StudyConfig.Compute("cuda:1", "fp32", MARK), stages())
                .forStage("finetune").gpus(), "cuda:1 needs two visible GPUs");
        for (String device : List.of("auto", "cpu")) {
            assertNull(StudyCompute.withGpus(plain, new StudyConfig.Compute(device, "fp32", MARK), stages())
                    .forStage("finetune").gpus(), device);
        }
    }

    @Test
    void whatTheSlurmSectionSaysAboutGpusWins() {
        SlurmSettings written = SlurmSettings.fromMap(Map.of("gpus", "a100:2",
                "stages", Map.of("evaluate", Map.of("gpus", "0"))), "x.yaml: executor.slurm");
        SlurmSettings s = StudyCompute.withGpus(written, new StudyConfig.Compute("cuda", "fp32", MARK), stages());
        assertEquals("a100:2", s.forStage("finetune").gpus());
        assertEquals("0", s.forStage("evaluate").gpus());
        SlurmSettings gres = SlurmSettings.fromMap(Map.of("extra", List.of("--gres=gpu:1")), "x.yaml: executor.slurm");
        assertNull(StudyCompute.withGpus(gres, new StudyConfig.Compute("cuda", "fp32", MARK), stages())
                .forStage("finetune").gpus(), "--gres in extra already asks for GPUs");
    }

    @Test
    void anOfflineHubIdBaseMustBeCachedWhenTheStudyIsPlanned() {
        HubSettings offline = new HubSettings(tmp.resolve("empty-cache"), URI.create("http://127.0.0.1:9"),
                Optional.empty(), true, Duration.ofSeconds(1), 0, Duration.ofMillis(1));
        StudyConfig.BaseModel base = new StudyConfig.BaseModel(null, null, 42, MARK, "org/name@v1");
        ConfigException e = assertThrows(ConfigException.class, () -> HubBase.check(base, offline));
        assertTrue(e.getMessage().startsWith("study.yaml:4:9: base_model.name: HF_HUB_OFFLINE is set and org/name@v1 "
                + "is not in the Hugging Face cache"), e.getMessage());
        assertTrue(e.getMessage().contains("fetch-model org/name@v1"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());

        ConfigException bad = assertThrows(ConfigException.class, () -> HubBase.check(
                new StudyConfig.BaseModel(null, null, 42, MARK, "a/b/c"), offline.withOffline(false)));
        assertTrue(bad.getMessage().contains("is not a hub model id"), bad.getMessage());
        assertEquals("org/name@v1", HubBase.check(base, offline.withOffline(false)).toString(),
                "online: checked when the base step runs");
    }
}
