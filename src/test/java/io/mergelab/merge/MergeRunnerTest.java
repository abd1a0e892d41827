package io.mergelab.merge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mergelab.merge.recipe.RecipeParser;
import io.mergelab.model.checkpoint.CheckpointDir;
import io.mergelab.model.checkpoint.FloatTensor;
import io.mergelab.model.checkpoint.Gpt2TensorNames;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The runner's plumbing: in-memory merges, recycled input arrays, hashes taken while writing. */
class MergeRunnerTest {
    private static final String DARE = """
            merge_method: dare_ties
            base_model: ${base}
            models:
              - model: ${v1}
                parameters: {weight: 0.6, density: 0.4}
              - model: ${v2}
                parameters: {weight: 0.5, density: 0.6}
            dtype: float32
            """;

    @Test
    void inMemoryMergeEqualsTheMergeOnDiskAndLeavesCachedInputsAlone(@TempDir Path tmp) throws IOException {
        Path recipe = MergeFixtures.recipe(tmp, "dare", DARE);
        MergeEngine engine = MergeEngine.withDefaultMethods();
        Path onDisk = engine.run(recipe, tmp.resolve("out"), 3, MergeRunner.Options.defaults().withThreads(2));
        MergePlan plan = engine.plan(RecipeParser.parseStages(recipe).get(0), 3);

        Map<String, float[]> cache = new HashMap<>();
        InputTensors cached = new InputTensors() {
            @Override
            public float[] read(PlannedTensor.Input in) {
                return cache.computeIfAbsent(in.model().ref() + "/" + in.info().name(),
                        k -> in.model().dir().readFloat32(in.info()));
            }

            @Override
            public boolean disposable() {
                return false;
            }
        };
        Map<String, FloatTensor> first = MergeRunner.mergeInMemory(plan, cached);
        Map<String, float[]> snapshot = new HashMap<>();
        cache.forEach((k, v) -> snapshot.put(k, v.clone()));
        Map<String, FloatTensor> second = MergeRunner.mergeInMemory(plan, cached);

        CheckpointDir disk = CheckpointDir.open(onDisk);
        assertEquals(disk.tensors().size(), first.size());
        for (FloatTensor t : first.values()) {
            float[] want = disk.readCanonical(Gpt2TensorNames.canonical(t.name())).data();
            assertArrayEquals(want, t.data(), 0f, t.name());
            assertArrayEquals(want, second.get(t.name()).data(), 0f, t.name() + " (second candidate)");
        }
        snapshot.forEach((k, v) -> assertArrayEquals(v, cache.get(k), 0f, "cached input " + k + " was modified"));
    }

    @Test
    void manifestHashesTakenWhileWritingMatchTheFilesWithAndWithoutShards(@TempDir Path tmp) throws Exception {
        Path recipe = MergeFixtures.recipe(tmp, "dare", DARE);
        MergeEngine engine = MergeEngine.withDefaultMethods();
        Path single = engine.run(recipe, tmp.resolve("single"), 3, MergeRunner.Options.defaults());
        Path sharded = engine.run(recipe, tmp.resolve("sharded"), 3,
                MergeRunner.Options.defaults().withMaxShardBytes(2_000_000));
        for (Path out : List.of(single, sharded)) {
            JsonNode outputs = new ObjectMapper().readTree(out.resolve(MergeOutputs.MANIFEST).toFile()).get("outputs");
            int weightFiles = 0;
            for (Iterator<String> it = outputs.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                assertEquals(MergeOutputs.sha256(out.resolve(f)), outputs.get(f).asText(), out + ": " + f);
                weightFiles += f.endsWith(".safetensors") ? 1 : 0;
            }
            try (Stream<Path> s = Files.list(out)) {
                assertEquals(s.filter(p -> p.toString().endsWith(".safetensors")).count(), weightFiles);
            }
            assertTrue(weightFiles >= (out == sharded ? 2 : 1), out + " has " + weightFiles + " weight files");
        }
    }

    @Test
    void recyclerKeepsOnlyWhatThePlanStillNeeds(@TempDir Path tmp) throws IOException {
        Path recipe = MergeFixtures.recipe(tmp, "dare", DARE);
        MergePlan plan = MergeEngine.withDefaultMethods().plan(RecipeParser.parseStages(recipe).get(0), 3);
        FloatArrayRecycler r = new FloatArrayRecycler(plan);
        int wpe = -1;
        int uses = 0;
        for (PlannedTensor t : plan.tensors()) {
            if (t.name().endsWith("wpe.weight")) {
                wpe = (int) t.numel();
            }
        }
        for (PlannedTensor t : plan.tensors()) {
            if (t.numel() == wpe) {
                uses += t.inputs().size();
            }
        }
        float[] a = r.acquire(wpe);
        float[] b = r.acquire(wpe);
        r.release(a);
        r.release(b);
        assertEquals(Math.min(2, uses - 2), r.held());
        for (int i = 2; i < uses; i++) {
            float[] c = r.acquire(wpe);
            if (i == 2) {
                assertTrue(c == a || c == b, "a released array is handed out again");
            }
        }
        r.release(new float[wpe]);
        assertEquals(0, r.held(), "no demand left for this length: nothing is kept");
    }

    @Test
    void configJsonStatesTheDtypeTheWeightsWereWrittenIn(@TempDir Path tmp) throws Exception {
        MergeEngine engine = MergeEngine.withDefaultMethods();
        for (String dtype : List.of("float32", "bfloat16", "float16")) {
            Path recipe = MergeFixtures.recipe(tmp, "lin-" + dtype, """
                    merge_method: linear
                    models:
                      - model: ${v1}
                      - model: ${v2}
                    parameters: {weight: 0.5}
                    out_dtype: %s
                    """.formatted(dtype));
            Path out = engine.run(recipe, tmp.resolve(dtype), 0, MergeRunner.Options.defaults());
            JsonNode cfg = new ObjectMapper().readTree(out.resolve("config.json").toFile());
            assertEquals(dtype, cfg.get("torch_dtype").asText(), dtype + " (mergekit reads torch_dtype)");
            assertEquals(dtype, cfg.get("dtype").asText(), dtype + " (transformers 5 reads dtype)");
            String want = switch (dtype) {
                case "bfloat16" -> "BF16";
                case "float16" -> "F16";
                default -> "F32";
            };
            assertEquals(want, CheckpointDir.open(out).tensors().get(0).dtype().name());
        }
    }

    @Test
    void nd4jKernelsAgreeWithTheJavaKernelsOnTheLinearFamily(@TempDir Path tmp) throws Exception {
        MergeEngine engine = MergeEngine.withDefaultMethods();
        Map<String, String> recipes = Map.of("linear", """
                merge_method: linear
                models:
                  - {model: ${v1}, parameters: {weight: 0.7}}
                  - {model: ${v2}, parameters: {weight: 0.2}}
                  - {model: ${v3}, parameters: {weight: 0.4}}
                """, "task_arithmetic", """
                merge_method: task_arithmetic
                base_model: ${base}
                models:
                  - {model: ${v1}, parameters: {weight: 0.7}}
                  - {model: ${v2}, parameters: {weight: 0.2}}
                parameters: {lambda: 0.8, normalize: true}
                """, "dare_linear", """
                merge_method: dare_linear
                base_model: ${base}
                models:
                  - {model: ${v1}, parameters: {weight: 0.7, density: 0.5}}
                  - {model: ${v2}, parameters: {weight: 0.2, density: 0.7}}
                """);
        for (Map.Entry<String, String> r : recipes.entrySet()) {
            Path recipe = MergeFixtures.recipe(tmp, r.getKey(), r.getValue());
            Path java = engine.run(recipe, tmp.resolve(r.getKey() + "-java"), 9, MergeRunner.Options.defaults());
            Path nd4j = engine.run(recipe, tmp.resolve(r.getKey() + "-nd4j"), 9,
                    MergeRunner.Options.defaults().withKernels(ElementwiseKernels.named("nd4j")));
            CheckpointDir a = CheckpointDir.open(java);
            CheckpointDir b = CheckpointDir.open(nd4j);
            for (var t : a.tensors()) {
                float[] x = a.readFloat32(t);
                float[] y = b.readFloat32(b.tensorByCanonicalName(Gpt2TensorNames.canonical(t.name())).orElseThrow());
                for (int i = 0; i < x.length; i++) {
                    // same operations in the same order; BLAS axpy may fuse multiply-add: 1e-6 relative
                    assertEquals(x[i], y[i], 1e-6 * Math.abs(x[i]) + 1e-7, r.getKey() + " " + t.name() + "[" + i + "]");
                }
            }
        }
    }

    /**
     * A merge killed mid-write leaves its staging folder beside OUT (nothing ran its cleanup). The next merge into
     * OUT removes staging whose process is gone and leaves that of a process still running.
     */
    @Test
    void aMergeRemovesStagingLeftByADeadMergeAndKeepsALiveOnes(@TempDir Path tmp) throws Exception {
        Path recipe = MergeFixtures.recipe(tmp, "dare", DARE);
        Path out = tmp.resolve("out");
        Process dead = new ProcessBuilder("true").start();
        assertEquals(0, dead.waitFor());
        Process live = new ProcessBuilder("sleep", "120").start();
        try {
            String host = MergeRunner.OWNER.substring(0, MergeRunner.OWNER.lastIndexOf('-'));
            Path stale = Files.createDirectories(tmp.resolve(
                    MergeRunner.stagingPrefix(out, host + "-" + dead.pid()) + "0badf00d"));
            Files.writeString(stale.resolve("model.safetensors"), "half a tensor");
            Path staleNested = Files.createDirectories(tmp.resolve(
                    MergeRunner.stagingPrefix(out, host + "-" + dead.pid()) + "0badf00d.tmp-0000beef"));
            Path running = Files.createDirectories(tmp.resolve(
                    MergeRunner.stagingPrefix(out, host + "-" + live.pid()) + "cafe0001"));
            Path otherHost = Files.createDirectories(tmp.resolve(
                    MergeRunner.stagingPrefix(out, "elsewhere-" + dead.pid()) + "cafe0002"));

            MergeEngine.withDefaultMethods().run(recipe, out, 3, MergeRunner.Options.defaults().withThreads(2));

            assertTrue(Files.isRegularFile(out.resolve("model.safetensors")));
            assertFalse(Files.exists(stale), "a dead merge's staging is removed");
            assertFalse(Files.exists(staleNested));
            assertTrue(Files.isDirectory(running), "a running merge's staging is left alone");
            assertTrue(Files.isDirectory(otherHost), "another host's staging is left alone");
        } finally {
            live.destroyForcibly();
        }
    }
}
