package io.mergelab.merge;

import io.mergelab.cli.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code mergelab merge RECIPE OUT}: exit codes, one-line errors, --overwrite. */
class MergeCommandTest {
    @TempDir
    Path tmp;

    private static String[] run(String... args) {
        PrintStream oldErr = System.err;
        PrintStream oldOut = System.out;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code;
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            code = Main.execute(args);
        } finally {
            System.setErr(oldErr);
            System.setOut(oldOut);
        }
        return new String[] {String.valueOf(code), out.toString(StandardCharsets.UTF_8),
            err.toString(StandardCharsets.UTF_8)};
    }

    @Test
    void mergesAndRefusesToClobberWithoutOverwrite() throws IOException {
        Path recipe = MergeFixtures.recipe(tmp, "ta", """
                merge_method: task_arithmetic
                base_model: ${base}
                models:
                  - {model: ${v1}, parameters: {weight: 0.5}}
                  - {model: ${v2}, parameters: {weight: 0.5}}
                """);
        Path out = tmp.resolve("out");
        String[] r = run("merge", recipe.toString(), out.toString(), "--threads", "2", "--no-progress");
        assertEquals("0", r[0], r[2]);
        assertTrue(Files.isRegularFile(out.resolve("model.safetensors")));
        r = run("merge", recipe.toString(), out.toString(), "--no-progress");
        assertEquals("1", r[0]);
        assertTrue(r[2].contains("--overwrite"), r[2]);
        r = run("merge", recipe.toString(), out.toString(), "--no-progress", "--overwrite");
        assertEquals("0", r[0], r[2]);
    }

    @Test
    void badRecipeIsOneLineNamingFileAndField() throws IOException {
        Path recipe = MergeFixtures.recipe(tmp, "bad", "merge_method: ties\nmodels:\n  - model: ${v1}\n    wieght: 1\n");
        String[] r = run("merge", recipe.toString(), tmp.resolve("o").toString(), "--no-progress");
        assertEquals("1", r[0]);
        assertTrue(r[2].startsWith("mergelab: error: " + recipe + ":4:"), r[2]);
        assertTrue(r[2].contains("models[0].wieght"), r[2]);
        assertEquals(1, r[2].strip().lines().count(), r[2]);
        assertFalse(Files.exists(tmp.resolve("o")));
    }
}
