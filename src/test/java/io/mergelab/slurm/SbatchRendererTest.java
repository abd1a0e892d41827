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
        assertTrue(text.contains("( sleep 480 && kill -USR1 $$ 2>/dev/null ) &\n"), text);
        assertFalse(text.contains("#SBATCH --signal"), "no sbatch option: slurmrestd jobs get the same script");

        // run outside Slurm: 1-minute limit, stop 57 s before it; the task (a child now) gets SIGTERM
        Shell run = runStopped(renderer, study, 57, 0, Map.of());
        assertEquals(143, run.exit(), run.output());
        assertEquals("term\n", Files.readString(tmp.resolve("marks/term")));
        assertFalse(Files.exists(tmp.resolve("marks/scontrol")), "no job id, nothing to requeue");
    }

    /**
     * A task stopped before its limit requeues its own job ({@code scontrol requeue $SLURM_JOB_ID}) while
     * SLURM_RESTART_COUNT is below max_requeues, and still exits with the task's status (a requeued job must not
     * look COMPLETED); at the cap, or with max_requeues 0, it only ends. A stand-in scontrol records the call.
     */
    @Test
    void aTaskStoppedBeforeItsLimitRequeuesItsJobUpToMaxRequeues() throws IOException {
        Path study = tmp.resolve("outputs/demo");
        SbatchRenderer renderer = new SbatchRenderer(tmp);
        Shell first = runStopped(renderer, study, 58, 2, Map.of("SLURM_JOB_ID", "77", "SLURM_RESTART_COUNT", "1"));
        assertEquals(143, first.exit(), first.output());
        assertEquals("requeue 77\n", Files.readString(tmp.resolve("marks/scontrol")));
        assertTrue(first.output().contains("requeueing job 77, restart 2 of 2"), first.output());

        Files.delete(tmp.resolve("marks/scontrol"));
        Shell capped = runStopped(renderer, study, 58, 2, Map.of("SLURM_JOB_ID", "77", "SLURM_RESTART_COUNT", "2"));
        assertEquals(143, capped.exit(), capped.output());
        assertFalse(Files.exists(tmp.resolve("marks/scontrol")), capped.output());
        assertTrue(capped.output().contains("after 2 requeues: `mergelab retry` continues the task"), capped.output());

        Shell off = runStopped(renderer, study, 58, 0, Map.of("SLURM_JOB_ID", "77"));
        assertEquals(143, off.exit(), off.output());
        assertFalse(Files.exists(tmp.resolve("marks/scontrol")), off.output());
    }

    /** SIGTERM from Slurm itself (scancel, the hard limit) reaches the task and never requeues. */
    @Test
    void aSigtermFromSlurmItselfIsPassedOnAndNeverRequeues() throws Exception {
        Path study = tmp.resolve("outputs/demo");
        Path script = stoppableScript(new SbatchRenderer(tmp), study, 1, 5);
        Map<String, String> env = new java.util.HashMap<>(Map.of("PATH", tmp.resolve("bin") + ":/usr/bin:/bin",
                "SLURM_JOB_ID", "77"));
        Path log = tmp.resolve("shell.log");
        ProcessBuilder pb = new ProcessBuilder("bash", script.toString()).directory(tmp.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        Path started = tmp.resolve("marks/started");
        for (int i = 0; i < 100 && !Files.exists(started); i++) {
            Thread.sleep(100);
        }
        assertTrue(Files.exists(started), "the task never started");
        p.destroy(); // SIGTERM to the batch shell, as scancel sends it
        assertTrue(p.waitFor(20, java.util.concurrent.TimeUnit.SECONDS));
        String out = Files.readString(log);
        assertEquals(143, p.exitValue(), out);
        assertEquals("term\n", Files.readString(tmp.resolve("marks/term")), out);
        assertFalse(Files.exists(tmp.resolve("marks/scontrol")), out);
    }

    /** Renders a one-task stage whose task loops until SIGTERM, with a 1-minute limit, and runs it. */
    private Shell runStopped(SbatchRenderer renderer, Path study, int stopBeforeLimit, int maxRequeues,
            Map<String, String> slurmEnv) throws IOException {
        Path script = stoppableScript(renderer, study, stopBeforeLimit, maxRequeues);
        Map<String, String> env = new java.util.HashMap<>(slurmEnv);
        env.put("PATH", tmp.resolve("bin") + ":/usr/bin:/bin");
        return Shell.run(tmp, env, "timeout", "30", "bash", script.toString());
    }

    private Path stoppableScript(SbatchRenderer renderer, Path study, int stopBeforeLimit, int maxRequeues)
            throws IOException {
        Path marks = Files.createDirectories(tmp.resolve("marks"));
        Files.deleteIfExists(marks.resolve("term"));
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Files.writeString(bin.resolve("scontrol"), "#!/bin/sh\necho \"$*\" >> " + marks.resolve("scontrol") + "\n");
        bin.resolve("scontrol").toFile().setExecutable(true);
        String trapped = "exec bash -c 'trap \"echo term > " + marks.resolve("term") + "; exit 143\" TERM; "
                + "touch " + marks.resolve("started") + "; while :; do sleep 0.1; done'";
        SlurmStage one = new SlurmStage("one", List.of(new StageTask(null, List.of(trapped))), List.of());
        Path script = tmp.resolve("one.sbatch");
        Files.writeString(script, renderer.stageScript("demo", study, one, SlurmSettings.fromMap(Map.of("time", "1",
                "stop_before_limit", stopBeforeLimit, "max_requeues", maxRequeues), "t").forStage("one")));
        Files.createDirectories(study.resolve("logs"));
        return script;
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
