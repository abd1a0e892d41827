package io.mergelab.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The commands as a user runs them: exit codes, what they print, one-line errors. */
class CliTest {

    record Result(int exitCode, String out, String err) {}

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void helpListsTheCommands() {
        Result r = run("--help");
        assertEquals(0, r.exitCode());
        for (String command : new String[] {"run", "init-model", "inspect", "classify"}) {
            assertTrue(r.out().contains("  " + command + " "), command + " missing from:\n" + r.out());
        }
    }

    @Test
    void initModelThenClassifyPrintsLogitsPerText(@TempDir Path tmp) {
        Path model = tmp.resolve("tiny");
        Result init = run("init-model", "--preset", "tiny", "--seed", "3", "--out", model.toString());
        assertEquals(0, init.exitCode(), init.err());
        assertTrue(Files.isRegularFile(model.resolve("model.safetensors")));

        Result r = run("classify", "--model", model.toString(), "--num-labels", "3", "Great pizza.", "Cold fries.");
        assertEquals(0, r.exitCode(), r.err());
        String[] lines = r.out().strip().split("\n");
        assertEquals(2, lines.length, r.out());
        assertTrue(lines[0].matches("LABEL_0=-?\\d+\\.\\d{6}  LABEL_1=-?\\d+\\.\\d{6}  LABEL_2=-?\\d+\\.\\d{6}  ->  LABEL_[012]   \\| Great pizza\\."),
                lines[0]);
    }

    @Test
    void inspectListsTensorsWithoutLoadingThem(@TempDir Path tmp) {
        Path model = tmp.resolve("tiny");
        assertEquals(0, run("init-model", "--out", model.toString()).exitCode());
        Result r = run("inspect", model.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("transformer.h.1.mlp.c_fc.weight"), r.out());
        assertTrue(r.out().contains("[128, 512]"), r.out());
    }

    @Test
    void initModelRefusesToOverwriteWithoutTheFlag(@TempDir Path tmp) {
        Path model = tmp.resolve("tiny");
        assertEquals(0, run("init-model", "--out", model.toString()).exitCode());
        Result again = run("init-model", "--out", model.toString());
        assertEquals(1, again.exitCode());
        assertSingleErrorLine(again, model.toString());
        assertEquals(0, run("init-model", "--out", model.toString(), "--overwrite").exitCode());
    }

    @Test
    void badInputGivesOneLineErrorsNamingTheFile(@TempDir Path tmp) throws Exception {
        Result missing = run("classify", "--model", tmp.resolve("nope").toString(), "hi");
        assertEquals(1, missing.exitCode());
        assertSingleErrorLine(missing, "nope");

        Path notGpt2 = Files.createDirectories(tmp.resolve("bert"));
        Files.writeString(notGpt2.resolve("config.json"), "{\"model_type\": \"bert\", \"architectures\": [\"BertModel\"]}");
        Files.write(notGpt2.resolve("model.safetensors"), new byte[] {1, 2, 3});
        Result bert = run("inspect", notGpt2.toString());
        assertEquals(1, bert.exitCode());
        assertSingleErrorLine(bert, "config.json");

        Result preset = run("init-model", "--preset", "huge", "--out", tmp.resolve("x").toString());
        assertEquals(1, preset.exitCode());
        assertSingleErrorLine(preset, "huge");
        assertFalse(Files.exists(tmp.resolve("x")));
    }

    @Test
    void unknownOptionIsAOneLineUsageError() {
        Result r = run("init-model", "--out", "unused", "--colour", "blue");
        assertEquals(2, r.exitCode());
        assertEquals("mergelab init-model: error: Unknown options: '--colour', 'blue' (see 'mergelab init-model --help')",
                r.err().strip());
        Result missing = run("run");
        assertEquals(2, missing.exitCode());
        assertEquals(1, missing.err().strip().lines().count(), missing.err());
        assertTrue(missing.err().contains("Missing required parameter: 'CONFIG'"), missing.err());
    }

    @Test
    void aDeviceThisMachineLacksIsAOneLineErrorNamingTheOptionOrField(@TempDir Path tmp) {
        Path model = tmp.resolve("tiny");
        assertEquals(0, run("init-model", "--out", model.toString()).exitCode());
        Result cuda = run("classify", "--model", model.toString(), "--num-labels", "2", "--device", "cuda", "hi");
        assertEquals(1, cuda.exitCode());
        assertSingleErrorLine(cuda, "--device cuda: cuda:0 requested, but this build has the CPU libtorch (available: cpu)");
        Result typo = run("classify", "--model", model.toString(), "--device", "tpu", "hi");
        assertSingleErrorLine(typo, "--device: device 'tpu' is not one of auto, cpu, cuda, cuda:N");
        Result precision = run("eval", "--model", model.toString(), "--dataset", "configs/datasets/yelp.yaml",
                "--precision", "fp8");
        assertSingleErrorLine(precision, "--precision: precision 'fp8' is not one of fp32, fp16, bf16");
        assertEquals(0, run("classify", "--model", model.toString(), "--num-labels", "2", "--device", "cpu",
                "--precision", "bf16", "hi").exitCode(), "bf16 on the CPU runs in fp32 with a note");

        Result study = run("run", "configs/quickstart_pretrained.yaml", "--device", "cuda:1", "--outputs", tmp.toString());
        assertEquals(1, study.exitCode());
        assertSingleErrorLine(study, "device (");
        assertTrue(study.err().contains("cuda:1 requested") && study.err().contains("(available: cpu)"), study.err());
        assertFalse(Files.exists(tmp.resolve("quickstart_pretrained")), "nothing ran");
    }

    private static void assertSingleErrorLine(Result r, String mustMention) {
        String err = r.err().strip();
        assertTrue(err.startsWith("mergelab: error: "), err);
        assertFalse(err.contains("\n"), "expected one line, got:\n" + err);
        assertFalse(err.contains("Exception"), err);
        assertTrue(err.contains(mustMention), err);
    }
}
