package io.mergelab.merge;

import io.mergelab.model.checkpoint.CheckpointDir;
import io.mergelab.model.checkpoint.CheckpointWriter;
import io.mergelab.model.checkpoint.DType;
import io.mergelab.model.checkpoint.FloatTensor;
import io.mergelab.model.checkpoint.Gpt2Config;
import io.mergelab.model.checkpoint.SafetensorsWriter;
import io.mergelab.model.checkpoint.TensorInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each bad input gives one clear error naming model, tensor and parameter, and leaves no OUT_DIR behind. */
class MergeBadInputTest {
    @TempDir
    Path tmp;

    private Exception fails(String yaml) throws IOException {
        Path recipe = MergeFixtures.recipe(tmp, "bad", yaml);
        Path out = tmp.resolve("out");
        Exception e = assertThrows(Exception.class, () -> MergeEngine.withDefaultMethods().run(recipe, out, 0,
                MergeRunner.Options.defaults()));
        assertFalse(Files.exists(out), "OUT_DIR must not exist after a failed merge");
        try (var s = Files.list(tmp)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith(".out")), "staging left behind");
        }
        return e;
    }

    private static void has(Exception e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "message lacks '" + p + "': " + e.getMessage());
        }
    }

    /** A copy of v1 with its tensors changed by {@code edit} (no validation, like a hand-made file). */
    private Path variant(String name, UnaryOperator<List<FloatTensor>> edit, DType dtype, Gpt2Config config)
            throws IOException {
        CheckpointDir v1 = CheckpointDir.open(MergeFixtures.goldenModels().get("v1"));
        List<FloatTensor> ts = new ArrayList<>();
        for (TensorInfo t : v1.tensors()) {
            ts.add(new FloatTensor(t.name(), t.shape(), v1.readFloat32(t)));
        }
        Path dir = tmp.resolve(name);
        Files.createDirectories(dir);
        SafetensorsWriter.write(dir.resolve("model.safetensors"), edit.apply(ts), dtype, CheckpointWriter.METADATA);
        (config == null ? v1.config() : config).write(dir.resolve("config.json"));
        return dir;
    }

    @Test
    void unknownMethod() throws IOException {
        has(fails("merge_method: tie\nbase_model: ${base}\nmodels: [{model: ${v1}, parameters: {weight: 1}}]\n"),
                "merge_method", "unknown merge_method 'tie'", "ties");
    }

    @Test
    void modelCountOutsideWhatTheMethodTakes() throws IOException {
        has(fails("""
                merge_method: nearswap
                base_model: ${base}
                models: [{model: ${v1}}, {model: ${v2}}]
                parameters: {t: 0.01}
                """), "merge_method nearswap takes exactly 1 model besides the base_model, got 2", "v1", "v2");
        has(fails("""
                merge_method: model_stock
                base_model: ${base}
                models: [{model: ${v1}}]
                """), "merge_method model_stock takes at least 2 models besides the base_model, got 1");
    }

    @Test
    void unknownParameter() throws IOException {
        has(fails("""
                merge_method: ties
                base_model: ${base}
                models: [{model: ${v1}, parameters: {weight: 1, densty: 0.5}}]
                """), "models[0].parameters.densty", "unknown parameter 'densty'", "ties", "density");
    }

    @Test
    void densityOutsideZeroOne() throws IOException {
        has(fails("""
                merge_method: dare_ties
                base_model: ${base}
                models: [{model: ${v1}, parameters: {weight: 1, density: 1.5}}]
                """), "parameter 'density' is 1.5", "(0, 1]", "v1");
        has(fails("""
                merge_method: ties
                base_model: ${base}
                models: [{model: ${v1}, parameters: {weight: 1}}]
                parameters: {density: 0}
                """), "parameter 'density' is 0.0");
    }

    @Test
    void weightsSummingToZeroWithNormalize() throws IOException {
        has(fails("""
                merge_method: linear
                models:
                  - {model: ${v1}, parameters: {weight: 1}}
                  - {model: ${v2}, parameters: {weight: -1}}
                """), "parameter 'weight' sums to 0", "normalize", "transformer.wte.weight");
    }

    @Test
    void missingRequiredParameter() throws IOException {
        has(fails("merge_method: ties\nbase_model: ${base}\nmodels: [{model: ${v1}}]\n"),
                "missing required parameter 'weight'", "v1", "tensor 'transformer.wte.weight'");
    }

    @Test
    void missingTensor() throws IOException {
        Path m = variant("no-ln", ts -> ts.stream().filter(t -> !t.name().endsWith("h.1.ln_2.bias")).toList(),
                DType.F32, null);
        has(fails("merge_method: linear\nmodels: [{model: ${v1}, parameters: {weight: 1}}, {model: " + m
                + ", parameters: {weight: 1}}]\n"), "transformer.h.1.ln_2.bias", "required but not present", "no-ln");
    }

    @Test
    void vocabMismatch() throws IOException {
        CheckpointDir v1 = CheckpointDir.open(MergeFixtures.goldenModels().get("v1"));
        var tree = v1.config().toJsonTree();
        tree.put("vocab_size", 50260);
        Gpt2Config cfg = Gpt2Config.fromJson(tree, null);
        Path m = variant("bigvocab", ts -> ts.stream().map(t -> !t.name().endsWith("wte.weight") ? t
                : new FloatTensor(t.name(), new long[] {50260, 128}, new float[50260 * 128])).toList(), DType.F32, cfg);
        has(fails("merge_method: linear\nmodels: [{model: ${v1}, parameters: {weight: 1}}, {model: " + m
                + ", parameters: {weight: 1}}]\n"), "vocab_size 50260", "bigvocab", "tokenizer");
    }

    @Test
    void shapeMismatch() throws IOException {
        CheckpointDir v1 = CheckpointDir.open(MergeFixtures.goldenModels().get("v1"));
        var tree = v1.config().toJsonTree();
        tree.put("n_positions", 256);
        Path m = variant("shortpos", ts -> ts.stream().map(t -> !t.name().endsWith("wpe.weight") ? t
                : new FloatTensor(t.name(), new long[] {256, 128}, new float[256 * 128])).toList(), DType.F32,
                Gpt2Config.fromJson(tree, null));
        has(fails("merge_method: task_arithmetic\nbase_model: ${base}\nmodels: [{model: " + m
                + ", parameters: {weight: 1}}]\n"), "shortpos", "n_positions 256 vs 512");
    }

    @Test
    void nanInMergedTensor() throws IOException {
        Path m = variant("nan", ts -> ts.stream().map(t -> {
            if (!t.name().endsWith("h.0.ln_1.weight")) {
                return t;
            }
            float[] d = t.data().clone();
            d[3] = Float.NaN;
            return new FloatTensor(t.name(), t.shape(), d);
        }).toList(), DType.F32, null);
        has(fails("merge_method: task_arithmetic\nbase_model: ${base}\nmodels: [{model: " + m
                + ", parameters: {weight: 0.5}}]\n"), "transformer.h.0.ln_1.weight", "NaN/Inf",
                "model '" + m + "' already has NaN/Inf", "weight=0.5");
    }

    @Test
    void missingModelDirectory() throws IOException {
        has(fails("merge_method: linear\nmodels: [{model: /nonexistent/m, parameters: {weight: 1}}]\n"),
                "models[0].model", "/nonexistent/m", "not found");
    }

    @Test
    void existingOutputIsKeptWithoutOverwrite() throws IOException {
        Path out = tmp.resolve("exists");
        Files.createDirectories(out);
        Files.writeString(out.resolve("keep.txt"), "x");
        Path recipe = MergeFixtures.recipe(tmp, "ok", "merge_method: linear\nmodels: [{model: ${v1}, parameters: {weight: 1}}]\n");
        Exception e = assertThrows(Exception.class, () -> MergeEngine.withDefaultMethods().run(recipe, out, 0,
                MergeRunner.Options.defaults()));
        has(e, "--overwrite");
        assertTrue(Files.exists(out.resolve("keep.txt")));
    }

    @Test
    void sphericalMethodsCheckCountsAndWholeNumbers() throws IOException {
        has(fails("""
                merge_method: nuslerp
                base_model: ${base}
                models:
                  - {model: ${v1}, parameters: {weight: 1}}
                  - {model: ${v2}, parameters: {weight: 1}}
                  - {model: ${v3}, parameters: {weight: 1}}
                """), "merge_method nuslerp takes exactly 2 models besides the base_model, got 3");
        has(fails("""
                merge_method: multislerp
                models: [{model: ${v1}}, {model: ${v2}, parameters: {weight: 1}}]
                """), "missing required parameter 'weight'", "v1");
        has(fails("""
                merge_method: karcher
                models: [{model: ${v1}}, {model: ${v2}}]
                parameters: {max_iter: 2.5}
                """), "parameter 'max_iter' is a whole number but evaluates to 2.5");
    }
}
