package io.mergelab.slurm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The rendered files themselves: syntax (bash -n), #SBATCH lines, afterok chain. Running them: SlurmClusterTest. */
class SbatchRendererTest {

    @TempDir
    Path tmp;

    static List<SlurmStage> threeStages(Path studyDir) {
        return List.of(
                new SlurmStage("finetune", List.of(
                        new StageTask(studyDir.resolve("steps/finetune-a"), List.of("echo fine-tune a", "echo done a")),
                        new StageTask(studyDir.resolve("steps/finetune b"), List.of("echo 'fine-tune b'"))), List.of()),
                new SlurmStage("merge", List.of(new StageTask(studyDir.resolve("steps/merge"), List.of("echo merge"))),
                        List.of("finetune")),
                SlurmStage.uniform("report", 1, List.of("echo report $SLURM_ARRAY_TASK_ID"), List.of("finetune", "merge")));
    }

    @Test
    void rendersReadableScriptsThatPassBashSyntaxCheck() throws IOException {
        Path home = tmp.resolve("checkout");
        Path study = home.resolve("outputs/demo");
        SlurmSettings settings = SlurmSettings.fromMap(Map.of("partition", "debug", "time", "00:10:00",
                "stages", Map.of("finetune", Map.of("cpus_per_task", 1, "extra", List.of("--nice=10")))), "t");
        RenderedScripts r = new SbatchRenderer(home).render("demo", study, threeStages(study), settings);

        assertEquals(List.of("finetune", "merge", "report"), List.copyOf(r.stageScripts().keySet()));
        assertTrue(Files.isDirectory(study.resolve("logs")));
        for (Path p : List.of(r.stageScripts().get("finetune"), r.stageScripts().get("merge"),
                r.stageScripts().get("report"), r.submitScript())) {
            assertTrue(Files.isExecutable(p), p + " executable");
            Shell check = Shell.run(tmp, Map.of("PATH", "/usr/bin:/bin"), "bash", "-n", p.toString());
            assertEquals(0, check.exit(), p + ": " + check.output());
        }
        String ft = Files.readString(r.stageScripts().get("finetune"));
        assertTrue(ft.contains("#SBATCH --array=0-1\n"), ft);
        assertTrue(ft.contains("#SBATCH --output=" + study.resolve("logs") + "/finetune-%A_%a.out\n"), ft);
        assertTrue(ft.contains("#SBATCH --requeue"), ft);
        assertTrue(ft.contains("#SBATCH --partition=debug\n#SBATCH --time=00:10:00\n#SBATCH --cpus-per-task=1\n"
                + "#SBATCH --nice=10\n"), ft);
        assertTrue(ft.contains("export MERGELAB_HOME=\"${MERGELAB_HOME:-" + home + "}\""), ft);
        assertTrue(ft.contains("record_job '" + study.resolve("steps/finetune b") + "'"), ft);
        assertFalse(Files.readString(r.stageScripts().get("merge")).contains("--nice"), "override is per stage");

        String submit = Files.readString(r.submitScript());
        assertTrue(submit.contains("job_merge=$(submit \"$@\" --dependency=afterok:${job_finetune} \"$dir/merge.sbatch\")"),
                submit);
        assertTrue(submit.contains("--dependency=afterok:${job_finetune}:${job_merge} \"$dir/report.sbatch\""), submit);
    }

    /** submit.sh stops at the first sbatch that fails (e.g. an authentication error) instead of going on. */
    @Test
    void submitStopsAtTheFirstFailedSbatch() throws IOException {
        Path study = tmp.resolve("outputs/demo");
        RenderedScripts r = new SbatchRenderer(tmp).render("demo", study, threeStages(study), SlurmSettings.DEFAULTS);
        Path bin = Files.createDirectories(tmp.resolve("fake-bin"));
        Path sbatch = bin.resolve("sbatch");
        Path calls = tmp.resolve("calls.txt");
        Files.writeString(sbatch, "#!/bin/bash\necho \"$*\" >> " + calls + "\n"
                + "if [ -e " + tmp.resolve("fail") + " ]; then echo 'sbatch: error: Zero Bytes' >&2; exit 1; fi\n"
                + "echo $(( 100 + $(wc -l < " + calls + ") ))\n");
        sbatch.toFile().setExecutable(true);
        Map<String, String> env = Map.of("PATH", bin + ":/usr/bin:/bin");

        Shell ok = Shell.run(tmp, env, "bash", r.submitScript().toString());
        assertEquals(0, ok.exit(), ok.output());
        assertTrue(ok.output().contains("merge: job 102 (1 task)"), ok.output());
        assertTrue(Files.readString(calls).contains("--dependency=afterok:101 "), Files.readString(calls));
        assertTrue(Files.readString(r.submitScript().resolveSibling("submitted.txt")).contains("report=103"));

        Files.delete(calls);
        Files.delete(r.submitScript().resolveSibling("submitted.txt"));
        Files.writeString(tmp.resolve("fail"), "");
        Shell failed = Shell.run(tmp, env, "bash", r.submitScript().toString());
        assertTrue(failed.exit() != 0, failed.output());
        assertEquals(1, Files.readAllLines(calls).size(), "nothing submitted after the failure");
        assertFalse(Files.exists(r.submitScript().resolveSibling("submitted.txt")));
        assertFalse(failed.output().contains("job  ("), failed.output());
    }

    @Test
    void stopBeforeLimitSendsTheTaskSigtermItselfOnAnyPath() throws IOException {
        Path study = tmp.resolve("outputs/demo");
        SlurmSettings settings = SlurmSettings.fromMap(Map.of("time", "00:10:00", "stop_before_limit", 120), "t");
        SbatchRenderer renderer = new SbatchRenderer(tmp);
        Path ft = renderer.render("demo", study, threeStages(study), settings).stageScripts().get("finetune");
        String text = Files.readString(ft);
        assertTrue(text.contains("( sleep 480 && kill -TERM $$ 2>/dev/null ) &\n"), text);
        assertFalse(text.contains("#SBATCH --signal"), "no sbatch option: slurmrestd jobs get the same script");

        // run outside Slurm: 1-minute limit, stop 57 s before it; the exec'd shell is the one signalled
        Path marks = tmp.resolve("marks");
        Files.createDirectories(marks);
        String trapped = "exec bash -c 'trap \"echo term > " + marks.resolve("term") + "; exit 143\" TERM; "
                + "while :; do sleep 0.1; done'";
        SlurmStage one = new SlurmStage("one", List.of(new StageTask(null, List.of(trapped))), List.of());
        Path script = tmp.resolve("one.sbatch");
        Files.writeString(script, renderer.stageScript("demo", study,
                one, SlurmSettings.fromMap(Map.of("time", "1", "stop_before_limit", 57), "t").forStage("one")));
        Files.createDirectories(study.resolve("logs"));
        Shell run = Shell.run(tmp, Map.of("PATH", "/usr/bin:/bin"), "timeout", "30", "bash", script.toString());
        assertEquals(143, run.exit(), run.output());
        assertEquals("term\n", Files.readString(marks.resolve("term")));
    }

    @Test
    void aStageWithoutATimeLimitCannotStopBeforeIt() {
        Path study = tmp.resolve("outputs/demo");
        SlurmSettings settings = SlurmSettings.fromMap(Map.of("stop_before_limit", 120,
                "stages", Map.of("merge", Map.of("time", "30"))), "t");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new SbatchRenderer(tmp).render("demo", study, threeStages(study), settings));
        assertEquals("stage finetune: executor.slurm.stop_before_limit: 120 s needs a time limit to count back from;"
                + " set time as well", e.getMessage());
        assertFalse(Files.exists(study.resolve("slurm")), "nothing written on bad input");
    }

    @Test
    void reRenderReplacesTheDirectoryAsAWhole() throws IOException {
        Path study = tmp.resolve("outputs/demo");
        SbatchRenderer renderer = new SbatchRenderer(tmp);
        renderer.render("demo", study, threeStages(study), SlurmSettings.DEFAULTS);
        Files.writeString(study.resolve("slurm/stale.txt"), "x");
        renderer.render("demo", study, threeStages(study).subList(0, 1), SlurmSettings.DEFAULTS);
        try (var files = Files.list(study.resolve("slurm"))) {
            assertEquals(List.of("finetune.sbatch", "submit.sh"), files.map(p -> p.getFileName().toString()).sorted().toList());
        }
        try (var files = Files.list(study)) {
            assertEquals(List.of("logs", "slurm"), files.map(p -> p.getFileName().toString()).sorted().toList(),
                    "no temp dirs left behind");
        }
    }

    @Test
    void stagesMustComeAfterTheirParents() {
        Path study = tmp.resolve("outputs/demo");
        List<SlurmStage> wrong = List.of(SlurmStage.uniform("merge", 1, List.of("true"), List.of("finetune")),
                SlurmStage.uniform("finetune", 2, List.of("true"), List.of()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new SbatchRenderer(tmp).render("demo", study, wrong, SlurmSettings.DEFAULTS));
        assertEquals("stage merge: depends on 'finetune', which is not an earlier stage (stages must be listed parents first)",
                e.getMessage());
        assertFalse(Files.exists(study.resolve("slurm")), "nothing written on bad input");
    }

    @Test
    void runExperimentScriptPassesBashSyntaxCheck() {
        Path script = Path.of("bin/run_experiment.sh").toAbsolutePath();
        Shell check = Shell.run(tmp, Map.of("PATH", "/usr/bin:/bin"), "bash", "-n", script.toString());
        assertEquals(0, check.exit(), check.output());
    }
}
