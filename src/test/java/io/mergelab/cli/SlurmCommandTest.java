package io.mergelab.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code mergelab slurm render} on the shipped quickstart study (rendering only; running is in SlurmClusterTest). */
class SlurmCommandTest {

    @TempDir
    Path tmp;

    @Test
    void rendersTheQuickstartStudyAsChainedJobArrays() throws IOException, InterruptedException {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int rc = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true),
                "slurm", "render", "configs/quickstart_pretrained.yaml", "--outputs", tmp.toString());
        assertEquals(0, rc, err.toString());
        Path slurm = tmp.resolve("quickstart_pretrained/slurm");
        String submit = Files.readString(slurm.resolve("submit.sh"));
        assertTrue(out.toString().contains("Submit with: " + slurm.resolve("submit.sh")), out.toString());
        assertTrue(submit.contains("job_finetune=$(submit \"$@\" --dependency=afterok:"), submit);

        String finetune = Files.readString(slurm.resolve("finetune.sbatch"));
        assertTrue(finetune.contains("#SBATCH --output=" + tmp.resolve("quickstart_pretrained/logs") + "/finetune-%A_%a.out"), finetune);
        // exec'd (bin/mergelab execs java): Slurm's SIGTERM reaches the JVM, which writes a resume checkpoint
        assertTrue(finetune.contains("    exec \"$MERGELAB_HOME/bin/mergelab\" run --only finetune-"), finetune);
        assertTrue(finetune.contains(Path.of("configs/quickstart_pretrained.yaml").toAbsolutePath().toString()), finetune);
        // beside the scripts, the record status/cancel/retry read once submit.sh has filled in the job ids
        assertTrue(Files.readString(slurm.resolve("rendered.properties")).contains("step.finetune-"));

        try (var scripts = Files.list(slurm)) {
            for (Path p : scripts.filter(f -> f.toString().endsWith(".sbatch") || f.toString().endsWith(".sh"))
                    .toList()) {
                Process bash = new ProcessBuilder(List.of("bash", "-n", p.toString())).redirectErrorStream(true).start();
                String msg = new String(bash.getInputStream().readAllBytes());
                assertTrue(bash.waitFor(30, TimeUnit.SECONDS));
                assertEquals(0, bash.exitValue(), p + ": " + msg);
            }
        }
    }

    @Test
    void badExecutorSlurmSectionIsOneLineNamingTheField() throws IOException {
        Path cfg = tmp.resolve("bad.yaml");
        String quick = Files.readString(Path.of("configs/quickstart.yaml"))
                .replace("executor: {kind: local, parallelism: 1}",
                        "executor: {kind: slurm, parallelism: 1, slurm: {partition: debug, time: soon}}");
        Files.writeString(cfg, quick.replace("data/", Path.of("data").toAbsolutePath() + "/")
                .replace("configs/", Path.of("configs").toAbsolutePath() + "/"));
        StringWriter err = new StringWriter();
        int rc = Main.execute(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true),
                "slurm", "render", cfg.toString(), "--outputs", tmp.toString());
        assertEquals(1, rc, err.toString());
        assertEquals("mergelab: error: " + cfg + ": executor.slurm.time: 'soon' is not a Slurm time "
                + "(minutes, H:MM:SS or D-HH:MM:SS)", err.toString().strip());
    }
}
