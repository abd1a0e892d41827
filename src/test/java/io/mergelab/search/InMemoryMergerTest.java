package io.mergelab.search;

import io.mergelab.yaml.Mark;
import io.mergelab.merge.MergeEngine;
import io.mergelab.merge.MergeRunner;
import io.mergelab.merge.MethodRegistry;
import io.mergelab.model.checkpoint.CheckpointDir;
import io.mergelab.model.checkpoint.FloatTensor;
import io.mergelab.model.gpt2.Gpt2Factory;
import io.mergelab.model.gpt2.ModelPreset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Candidates are merged in memory from the same recipe text best_config.yaml carries; the result must be
 * bit-identical to the merge engine writing that recipe to disk (synthetic variants: factory checkpoints
 * with different seeds, which is all a numerics check needs).
 */
class InMemoryMergerTest {
    @TempDir
    Path tmp;

    @Test
    void perLayerGroupTiesCandidateEqualsTheEngineOnDisk() throws Exception {
        Path tok = Path.of("data/gpt2-tokenizer").toAbsolutePath();
        for (String m : new String[] {"base", "a", "b"}) {
            Gpt2Factory.writeCheckpoint(ModelPreset.TINY, m.hashCode(), tmp.resolve(m), tok, false);
        }
        Path f = tmp.resolve("s.yaml");
        Files.writeString(f, """
                merge:
                  method: dare_ties
                  base_model: base
                  models: [a, b]
                  parameters: {normalize: true}
                  layer_granularity: 1
                  seed: 9
                free:
                  - {param: weight, min: 0.0, max: 1.0}
                  - {param: density, models: [a], min: 0.2, max: 1.0}
                  - {param: lambda, min: 0.5, max: 1.5}
                objective: {datasets: [x.yaml]}
                budget: {candidates: 3}
                """);
        SearchConfig c = SearchConfigParser.parseFile(f);
        SearchSpace space = new SearchSpace(c, MethodRegistry.load(), Mark.of(f.toString()));
        // TINY has 2 layers: (2 weights + 1 density + 1 lambda) per layer group
        assertEquals(8, space.size());
        assertEquals("weight.a.layers_0_0", space.dimensions().get(0).name());
        double[] u = {0.1, 0.9, 0.33, 0.7, 0.25, 0.6, 0.8, 0.05};
        String recipe = space.recipeYaml(space.values(u));
        assertTrue(recipe.contains("slices:") && recipe.contains("layer_range:\n    - 1\n    - 2\n"), recipe);

        // the typed recipe merged in memory equals its written mergekit_config.yml merged from disk
        InMemoryMerger.Merged mem = new InMemoryMerger(MergeEngine.withDefaultMethods())
                .merge(space.recipe(space.values(u)), 9);
        Path rf = tmp.resolve("best_config.yaml");
        Files.writeString(rf, recipe);
        Path out = tmp.resolve("merged");
        MergeEngine.withDefaultMethods().run(rf, out, 9, MergeRunner.Options.defaults());
        CheckpointDir disk = CheckpointDir.open(out);
        assertEquals(disk.tensors().size(), mem.tensors().size());
        for (Map.Entry<String, FloatTensor> e : mem.tensors().entrySet()) {
            assertArrayEquals(disk.readCanonical(e.getKey()).data(), e.getValue().data(), 0f, e.getKey());
        }
    }
}
