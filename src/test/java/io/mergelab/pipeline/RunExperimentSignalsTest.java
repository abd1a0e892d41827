package io.mergelab.pipeline;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code bin/run_experiment.sh} outside Slurm with a stand-in launcher (MERGELAB_BIN) and a stand-in scontrol:
 * SIGUSR1 (what {@code --signal=B:USR1@300} sends before the time limit) stops the study and requeues the job;
 * SIGTERM (scancel, the hard limit) stops it without a requeue; the output is copied to the study's logs/.
 * The real job on the real cluster is {@link RunExperimentScriptTest}.
 */
class RunExperimentSignalsTest {
    @TempDir
    Path tmp;

    @Test
    void usr1BeforeTheLimitStopsTheStudyAndRequeuesTheJob() throws Exception {
        Result r = runAndSignal("USR1");
        assertEquals(143, r.exit, r.log);
        assertEquals("term\n", Files.readString(tmp.resolve("term")), r.log);
        assertEquals("requeue 55\n", Files.readString(tmp.resolve("scontrol")), r.log);
        assertTrue(r.log.contains("requeueing job 55, restart 1 of 5"), r.log);
    }

    @Test
    void sigtermFromSlurmStopsTheStudyWithoutARequeue() throws Exception {
        Result r = runAndSignal("TERM");
        assertEquals(143, r.exit, r.log);
        assertEquals("term\n", Files.readString(tmp.resolve("term")), r.log);
        assertFalse(Files.exists(tmp.resolve("scontrol")), r.log);
    }

    private record Result(int exit, String log) {}

    private Result runAndSignal(String signal) throws IOException, InterruptedException {
        Path home = Path.of("").toAbsolutePath();
        Path study = tmp.resolve("outputs/demo");
        Path launcher = tmp.resolve("mergelab");
        Files.writeString(launcher, "#!/bin/bash\n"
                + "case \" $* \" in *' --print-study-dir '*) echo " + study + "; exit 0 ;; esac\n"
                + "trap 'echo term > " + tmp.resolve("term") + "; exit 143' TERM\n"
                + "echo \"study running: $*\"; touch " + tmp.resolve("started") + "\n"
                + "while :; do sleep 0.1; done\n");
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Files.writeString(bin.resolve("scontrol"), "#!/bin/sh\necho \"$*\" >> " + tmp.resolve("scontrol") + "\n");
        assertTrue(launcher.toFile().setExecutable(true) && bin.resolve("scontrol").toFile().setExecutable(true));
        Path config = Files.writeString(tmp.resolve("demo.yaml"), "name: demo\n");

        ProcessBuilder pb = new ProcessBuilder("bash", home.resolve("bin/run_experiment.sh").toString(),
                config.toString()).directory(tmp.toFile()).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("job.out").toFile());
        pb.environment().put("PATH", bin + ":/usr/bin:/bin");
        pb.environment().put("MERGELAB_HOME", home.toString());
        pb.environment().put("MERGELAB_BIN", launcher.toString());
        pb.environment().put("SLURM_JOB_ID", "55");
        Process p = pb.start();
        for (int i = 0; i < 200 && !Files.exists(tmp.resolve("started")); i++) {
            Thread.sleep(50);
        }
        assertTrue(Files.exists(tmp.resolve("started")), "the study never started: " + Files.readString(tmp.resolve("job.out")));
        assertEquals(0, new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).start().waitFor());
        assertTrue(p.waitFor(20, TimeUnit.SECONDS), "run_experiment.sh did not end");
        Thread.sleep(200); // tee writes the study's copy of the log
        String log = Files.readString(study.resolve("logs/run_experiment-55.out"));
        assertTrue(log.contains("study running: run " + config), log);
        assertTrue(Files.readString(tmp.resolve("job.out")).contains("study running"));
        return new Result(p.exitValue(), log);
    }
}
