package io.mergelab.pipeline;

import io.mergelab.yaml.ConfigException;
import io.mergelab.model.checkpoint.CheckpointDir;
import io.mergelab.model.gpt2.Gpt2Factory;
import io.mergelab.model.gpt2.ModelPreset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A mergekit recipe block embedded verbatim in a study config: checked at load, resolved and merged at run. */
class EmbeddedRecipeTest {
    static final Path HOME = Path.of("").toAbsolutePath();
    final Studies studies = Studies.standard(HOME);

    private static final String STUDY = """
            name: embedded
            base_model: {preset: tiny}
            datasets: [yelp]
            variants:
              - {dataset: yelp, count: 2, split: disjoint, name: "v{i}"}
            merges:
              - name: sliced
                recipe:
                  merge_method: task_arithmetic
                  base_model: base
                  slices:
                    - sources:
                        - {model: v0, layer_range: [0, 1], parameters: {weight: 1.0}}
                        - {model: v1, layer_range: [0, 1], parameters: {weight: 0.0}}
                        - {model: base, layer_range: [0, 1]}
                    - sources:
                        - {model: v0, layer_range: [1, 2], parameters: {weight: 0.0}}
                        - {model: v1, layer_range: [1, 2], parameters: {weight: 1.0}}
                        - {model: base, layer_range: [1, 2]}
                  parameters: {lambda: 1.0}
                  out_dtype: bfloat16
            """;

    private Plan plan(Path dir, String yaml) throws IOException {
        Path f = dir.resolve("study.yaml");
        Files.writeString(f, yaml);
        return studies.plan(studies.load(f, List.of()));
    }

    @Test
    void theBlockIsMergedAsWrittenWithVariantNamesResolvedToCheckpoints(@TempDir Path tmp) throws Exception {
        Plan p = plan(tmp, STUDY);
        Step merge = p.steps().stream().filter(s -> s.kind().equals("merge")).findFirst().orElseThrow();
        Map<String, Step> byId = new HashMap<>();
        p.steps().forEach(s -> byId.put(s.id(), s));
        List<String> depKinds = merge.deps().stream().map(d -> byId.get(d).kind()).sorted().toList();
        assertEquals(List.of("base", "finetune", "finetune"), depKinds, "waits for both variants and the base");

        // stand-ins for the finished steps: seeded checkpoints, v0 and v1 different from each other and the base
        Map<String, Path> outputs = new HashMap<>();
        long seed = 1;
        for (String d : merge.deps()) {
            Path out = tmp.resolve("step-" + seed);
            Gpt2Factory.writeCheckpoint(ModelPreset.TINY, byId.get(d).kind().equals("base") ? 100 : seed, out.resolve("model"),
                    HOME.resolve("data/gpt2-tokenizer"), false);
            outputs.put(d, out);
            seed++;
        }
        Path work = Files.createDirectories(tmp.resolve("work"));
        merge.action().run(new StepContext() {
            public Step step() {
                return merge;
            }

            public Path workDir() {
                return work;
            }

            public Path outputOf(String id) {
                return outputs.get(id);
            }

            public Plan plan() {
                return p;
            }

            public Path studyDir() {
                return tmp;
            }
        });
        String written = Files.readString(work.resolve("model/mergekit_config.yml")); // the engine's artifact
        assertTrue(written.contains("layer_range"), written);
        assertFalse(written.contains("model: v0"), "references are replaced by paths:\n" + written);
        CheckpointDir merged = CheckpointDir.open(work.resolve("model"));
        assertEquals("BF16", merged.tensors().get(0).dtype().name());
        // layer 0 comes from v0 alone and layer 1 from v1 alone (weights 1 / 0, lambda 1): compare in BF16
        String v0 = merge.deps().stream().filter(d -> byId.get(d).label().contains("v0")).findFirst().orElseThrow();
        String v1 = merge.deps().stream().filter(d -> byId.get(d).label().contains("v1")).findFirst().orElseThrow();
        assertClose(CheckpointDir.open(outputs.get(v0).resolve("model")), merged, "h.0.mlp.c_fc.weight");
        assertClose(CheckpointDir.open(outputs.get(v1).resolve("model")), merged, "h.1.mlp.c_fc.weight");
    }

    private static void assertClose(CheckpointDir want, CheckpointDir got, String tensor) {
        float[] w = want.readCanonical(tensor).data();
        float[] g = got.readCanonical(tensor).data();
        for (int i = 0; i < w.length; i++) {
            assertEquals(w[i], g[i], Math.abs(w[i]) * 0x1p-8f + 1e-30f, tensor + "[" + i + "]"); // BF16: 8 bits
        }
    }

    @Test
    void aBadBlockFailsAtLoadNamingTheFieldInsideTheRecipe(@TempDir Path tmp) {
        ConfigException unknown = assertThrows(ConfigException.class,
                () -> plan(tmp, STUDY.replace("{model: v1, layer_range: [0, 1]", "{model: v2, layer_range: [0, 1]")));
        assertTrue(unknown.getMessage().contains("merges[sliced].recipe.slices[].sources[].model: no variant named 'v2'"
                + " (did you mean 'v0'?)"), unknown.getMessage());
        assertTrue(unknown.getMessage().contains("study.yaml:"), unknown.getMessage());

        ConfigException notRead = assertThrows(ConfigException.class,
                () -> plan(tmp, STUDY.replace("parameters: {lambda: 1.0}", "parameters: {lambda: 1.0, epsilon: 0.1}")));
        assertTrue(notRead.getMessage().contains("merges[sliced].recipe.parameters.epsilon: merge_method "
                + "task_arithmetic has no parameter 'epsilon'"), notRead.getMessage());
        assertEquals(1, notRead.getMessage().lines().count());

        ConfigException density = assertThrows(ConfigException.class, () -> plan(tmp, STUDY
                .replace("merge_method: task_arithmetic", "merge_method: ties")
                .replace("parameters: {lambda: 1.0}", "parameters: {lambda: 1.0, density: 1.5}")));
        assertTrue(density.getMessage().contains("merges[sliced].recipe.parameters.density"), density.getMessage());

        ConfigException noBase = assertThrows(ConfigException.class,
                () -> plan(tmp, STUDY.replace("      base_model: base\n", "")
                        .replace("- {model: base, layer_range: [0, 1]}", "- {model: v0, layer_range: [0, 1]}")
                        .replace("- {model: base, layer_range: [1, 2]}", "- {model: v0, layer_range: [1, 2]}")));
        assertTrue(noBase.getMessage().contains("needs base_model"), noBase.getMessage());
    }
}
