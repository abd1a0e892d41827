package io.mergelab.merge;

import io.mergelab.merge.recipe.MergeRecipe;
import io.mergelab.merge.recipe.ParamValue;
import io.mergelab.merge.recipe.RecipeException;
import io.mergelab.merge.recipe.RecipeParser;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RecipeParserTest {
    static final Path F = Path.of("recipe.yml");

    static MergeRecipe parse(String yaml) {
        return RecipeParser.parseStages(F, yaml).get(0);
    }

    @Test
    void gradientInterpolationMatchesMergekitTable() {
        ParamValue g = new ParamValue.Gradient(new double[] {0, 0.5, 0.3, 0.7, 1});
        double[] want = {0.0, 0.18181818181818182, 0.36363636363636365, 0.4818181818181818, 0.40909090909090906,
            0.33636363636363636, 0.37272727272727263, 0.5181818181818182, 0.6636363636363636, 0.7818181818181819,
            0.8909090909090909, 1.0};
        for (int layer = 0; layer < 12; layer++) {
            assertEquals(want[layer], g.evaluate("x", layer / 11.0), 0.0, "layer " + layer);
        }
    }

    @Test
    void parsesMergekitExampleUnchanged() {
        MergeRecipe r = parse("""
                models:
                  - model: a
                    parameters:
                      density: [1, 0.7, 0.1]
                      weight: 1.0
                  - model: b
                    parameters:
                      density: 0.5
                      weight: [0, 0.3, 0.7, 1]
                  - model: c
                    parameters:
                      weight:
                        - filter: mlp
                          value: 0.5
                        - value: 0
                merge_method: ties
                base_model: base
                parameters:
                  normalize: true
                  int8_mask: true
                dtype: bfloat16
                tokenizer_source: base
                """);
        assertEquals("ties", r.mergeMethod());
        assertEquals("base", r.baseModel().orElseThrow());
        assertEquals(3, r.models().size());
        assertEquals(1.0, r.parameters().get("normalize").evaluate("x", 0));
        ParamValue w = r.models().get(2).parameters().get("weight");
        assertEquals(0.5, w.evaluate("transformer.h.0.mlp.c_fc.weight", 0));
        assertEquals(0.0, w.evaluate("transformer.h.0.attn.c_attn.weight", 0));
        assertEquals("bfloat16", r.dtype().orElseThrow());
        assertTrue(r.yaml().contains("int8_mask"));
    }

    @Test
    void accumulateFloat32IsAMergelabKey() {
        String m = "merge_method: linear\nmodels: [{model: a}]\ndtype: bfloat16\n";
        assertTrue(!parse(m).accumulateFloat32(), "default: compute in dtype as mergekit");
        assertTrue(!parse(m + "accumulate: dtype\n").accumulateFloat32());
        assertTrue(parse(m + "accumulate: float32\n").accumulateFloat32());
        RecipeException e = assertThrows(RecipeException.class, () -> parse(m + "accumulate: float64\n"));
        assertTrue(e.getMessage().contains("recipe.yml:4:13: field 'accumulate': expected float32"), e.getMessage());
    }

    @Test
    void conditionalWithoutMatchFallsThrough() {
        MergeRecipe r = parse("""
                merge_method: linear
                models:
                  - model: a
                    parameters:
                      weight: [{filter: attn, value: 2}]
                """);
        assertNull(r.models().get(0).parameters().get("weight").evaluate("transformer.h.0.mlp.c_fc.bias", 0));
    }

    @Test
    void slicesAndStages() {
        List<MergeRecipe> stages = RecipeParser.parseStages(F, """
                stages:
                  - name: first
                    merge_method: passthrough
                    slices:
                      - sources: [{model: a, layer_range: [0, 2]}]
                      - sources: [{model: b, layer_range: [1, 3]}]
                  - merge_method: linear
                    models:
                      - model: first
                        parameters: {weight: 1}
                """);
        assertEquals(2, stages.size());
        assertEquals("first", stages.get(0).name());
        assertEquals(2, stages.get(0).slices().get(1).sources().get(0).layerRange().orElseThrow().length());
    }

    @Test
    void errorsNameFileFieldAndLine() {
        RecipeException e = assertThrows(RecipeException.class, () -> parse("""
                merge_method: ties
                models:
                  - model: a
                    weight: 0.5
                """));
        assertTrue(e.getMessage().startsWith("recipe.yml:4:13: field 'models[0].weight'"), e.getMessage());
        e = assertThrows(RecipeException.class, () -> parse("""
                merge_method: ties
                models:
                  - model: a
                    parameters: {density: abc}
                """));
        assertTrue(e.getMessage().contains("models[0].parameters.density") && e.getMessage().contains("'abc'"),
                e.getMessage());
        e = assertThrows(RecipeException.class, () -> parse("""
                merge_method: ties
                normalise: true
                models: [{model: a}]
                """));
        assertTrue(e.getMessage().contains("recipe.yml:2:12: field 'normalise': unknown key"), e.getMessage());
        e = assertThrows(RecipeException.class, () -> parse("merge_method: ties\nmodels: [{model: a}]\ndtype: bf16\n"));
        assertTrue(e.getMessage().contains("unsupported dtype 'bf16'"), e.getMessage());
        e = assertThrows(RecipeException.class, () -> parse("merge_method: [ties\n"));
        assertTrue(e.getMessage().contains("invalid YAML"), e.getMessage());
        e = assertThrows(RecipeException.class, () -> parse("""
                merge_method: ties
                models: [{model: a}]
                parameters:
                  weight: {filter: mlp, value: 1}
                """));
        assertTrue(e.getMessage().contains("must be written as a list"), e.getMessage());
    }
}
