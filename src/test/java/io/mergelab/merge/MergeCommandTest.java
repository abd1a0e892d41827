package io.mergelab.merge;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
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
        return io.mergelab.testutil.MainCapture.run(args);
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

    /**
     * mergekit-yaml's command line runs unchanged: --random-seed is --seed, --out-shard-size counts parameters
     * (mergekit's 1B/500M/100K), --no-copy-tokenizer and --no-write-model-card leave those files out, and flags
     * that do not apply (--cuda, --lazy-unpickle, --low-cpu-memory, --allow-crimes) are one-line notes.
     */
    @Test
    void mergekitsOptionsWorkAsTheyAre() throws IOException {
        Path recipe = MergeFixtures.recipe(tmp, "dare", """
                merge_method: dare_linear
                base_model: ${base}
                models:
                  - {model: ${v1}, parameters: {weight: 0.5, density: 0.5}}
                  - {model: ${v2}, parameters: {weight: 0.5, density: 0.5}}
                dtype: float32
                """);
        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        assertEquals("0", run("merge", recipe.toString(), a.toString(), "--seed", "7", "--no-progress")[0]);
        String[] r = run("merge", recipe.toString(), b.toString(), "--random-seed", "7", "--no-progress", "--cuda",
                "--lazy-unpickle", "--low-cpu-memory", "--allow-crimes", "--out-shard-size", "2K",
                "--no-copy-tokenizer", "--no-write-model-card");
        assertEquals("0", r[0], r[2]);
        for (String flag : new String[] {"--cuda", "--lazy-unpickle", "--low-cpu-memory", "--allow-crimes"}) {
            assertTrue(r[2].lines().anyMatch(l -> l.startsWith("note: " + flag + ": ")), flag + " in\n" + r[2]);
        }
        // same seed, same DARE masks: the same tensors, now in shards of at most 2 000 float32 parameters
        io.mergelab.model.checkpoint.CheckpointDir x = io.mergelab.model.checkpoint.CheckpointDir.open(a);
        io.mergelab.model.checkpoint.CheckpointDir y = io.mergelab.model.checkpoint.CheckpointDir.open(b);
        for (String name : x.tensorNames()) {
            String c = io.mergelab.model.checkpoint.Gpt2TensorNames.canonical(name);
            org.junit.jupiter.api.Assertions.assertArrayEquals(x.readCanonical(c).data(), y.readCanonical(c).data(), c);
        }
        assertTrue(Files.isRegularFile(b.resolve("model.safetensors.index.json")), "sharded by parameter count");
        // a tensor larger than a shard gets one of its own (as transformers shards); shards of several stay small
        var weightMap = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                b.resolve("model.safetensors.index.json").toFile()).path("weight_map");
        java.util.Map<String, Integer> perFile = new java.util.HashMap<>();
        weightMap.properties().forEach(e -> perFile.merge(e.getValue().asText(), 1, Integer::sum));
        assertTrue(perFile.size() > 2, perFile.toString());
        for (var e : perFile.entrySet()) {
            long bytes = Files.size(b.resolve(e.getKey()));
            assertTrue(e.getValue() == 1 || bytes <= 2_000 * 4 + 4096, e + ": " + bytes + " bytes"); // + header
        }
        assertFalse(Files.exists(b.resolve("README.md")));
        assertFalse(Files.exists(b.resolve("tokenizer.json")) || Files.exists(b.resolve("vocab.json")));
        assertTrue(Files.isRegularFile(a.resolve("README.md")));

        String[] bad = run("merge", recipe.toString(), tmp.resolve("c").toString(), "--out-shard-size", "lots");
        assertEquals("1", bad[0]);
        assertEquals("mergelab: error: --out-shard-size: expected a positive number of parameters such as 5B, 500M "
                + "or 100000, got 'lots'", bad[2].strip());
    }

    /** A parameter only other methods read (weight on slerp, as in mergekit's tests) is ignored with a warning. */
    @Test
    void aParameterTheMethodIgnoresIsAWarningNotAnError() throws IOException {
        Path recipe = MergeFixtures.recipe(tmp, "slerp", """
                merge_method: slerp
                base_model: ${base}
                models:
                  - {model: ${v1}, parameters: {weight: 1.0}}
                parameters: {t: 0.5}
                """);
        String[] r = run("merge", recipe.toString(), tmp.resolve("s").toString(), "--no-progress");
        assertEquals("0", r[0], r[2]);
        assertTrue(r[2].contains("warning: " + recipe + ": field 'models[0].parameters.weight': slerp does not read "
                + "'weight'; ignored, as mergekit ignores it"), r[2]);
        assertTrue(Files.readString(tmp.resolve("s/README.md")).contains("slerp does not read 'weight'"));
    }
}
