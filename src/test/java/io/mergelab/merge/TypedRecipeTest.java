package io.mergelab.merge;

import io.mergelab.merge.recipe.MergeRecipe;
import io.mergelab.merge.recipe.ParamValue;
import io.mergelab.merge.recipe.RecipeParser;
import io.mergelab.merge.recipe.RecipeYaml;
import io.mergelab.merge.recipe.SourceSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link MergeEngine#run(MergeRecipe, Path, long, MergeRunner.Options)}: a recipe built in code merges like its YAML
 * and leaves that YAML beside the weights as mergekit_config.yml; a parsed recipe leaves its file's text.
 */
class TypedRecipeTest {
    @TempDir
    Path tmp;

    private static Map<String, Path> models() throws IOException {
        return MergeFixtures.goldenModels();
    }

    /** A study's TIES merge as the pipeline builds it: equal weights per model, density and lambda, float32. */
    private static MergeRecipe ties() throws IOException {
        Map<String, ParamValue> w = Map.of("weight", new ParamValue.Scalar(1.0 / 3));
        return MergeRecipe.of("ties", Optional.of(models().get("base").toString()), List.of(
                        new SourceSpec(models().get("v1").toString(), Optional.empty(), w),
                        new SourceSpec(models().get("v2").toString(), Optional.empty(), w),
                        new SourceSpec(models().get("v3").toString(), Optional.empty(), w)),
                Map.of("lambda", new ParamValue.Scalar(1.0), "density", new ParamValue.Scalar(0.5)),
                Optional.of("float32"));
    }

    @Test
    void aRecipeBuiltInCodeLeavesTheMergekitYamlTheStudyMergesAlwaysWrote() throws IOException {
        Path out = MergeEngine.withDefaultMethods().run(ties(), tmp.resolve("typed"), 3, MergeRunner.Options.defaults());
        String written = Files.readString(out.resolve(MergeOutputs.RECIPE_COPY));
        // the bytes MergeAction's SnakeYAML dump gave (block style, per-model parameters sorted), now the engine's
        assertEquals("""
                merge_method: ties
                base_model: %s
                models:
                - model: %s
                  parameters:
                    weight: 0.3333333333333333
                - model: %s
                  parameters:
                    weight: 0.3333333333333333
                - model: %s
                  parameters:
                    weight: 0.3333333333333333
                parameters:
                  density: 0.5
                  lambda: 1.0
                dtype: float32
                """.formatted(models().get("base"), models().get("v1"), models().get("v2"), models().get("v3")),
                written);
        assertTrue(Files.readString(out.resolve("README.md")).contains(written.strip()), "the model card shows it");

        // mergekit-yaml's input: the written file merges to the same bytes through the CLI's path
        Path again = MergeEngine.withDefaultMethods().run(out.resolve(MergeOutputs.RECIPE_COPY), tmp.resolve("file"),
                3, MergeRunner.Options.defaults());
        assertArrayEquals(Files.readAllBytes(out.resolve("model.safetensors")),
                Files.readAllBytes(again.resolve("model.safetensors")));
        assertEquals(written, Files.readString(again.resolve(MergeOutputs.RECIPE_COPY)), "a parsed file is kept as written");
        MergeRecipe parsed = RecipeParser.parse(out.resolve(MergeOutputs.RECIPE_COPY));
        assertEquals(ties(), parsed.withModelRefs(r -> r), "the YAML reads back to the same typed recipe");
    }

    @Test
    void stagesBuiltInCodeRunAndAreWrittenAsAStagedRecipe() throws IOException {
        Map<String, ParamValue> one = Map.of("weight", new ParamValue.Scalar(1));
        MergeRecipe soup = new MergeRecipe(null, null, "soup", "linear", Optional.empty(), List.of(
                new SourceSpec(models().get("v1").toString(), Optional.empty(), one),
                new SourceSpec(models().get("v2").toString(), Optional.empty(), one)), List.of(), Map.of(),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), false);
        MergeRecipe last = MergeRecipe.of("task_arithmetic", Optional.of(models().get("base").toString()),
                List.of(new SourceSpec("soup", Optional.empty(), one)), Map.of(), Optional.empty());
        Path out = MergeEngine.withDefaultMethods().run(List.of(soup, last), tmp.resolve("typed"), 0,
                MergeRunner.Options.defaults());
        String written = Files.readString(out.resolve(MergeOutputs.RECIPE_COPY));
        assertEquals(RecipeYaml.write(List.of(soup, last)), written);
        assertTrue(written.startsWith("stages:\n- name: soup\n  merge_method: linear\n"), written);
        Path file = Files.writeString(tmp.resolve("staged.yml"), written);
        Path again = MergeEngine.withDefaultMethods().run(file, tmp.resolve("file"), 0, MergeRunner.Options.defaults());
        assertArrayEquals(Files.readAllBytes(out.resolve("model.safetensors")),
                Files.readAllBytes(again.resolve("model.safetensors")));
    }

    @Test
    void modelReferencesMapEverywhereAndTheResultHasNoFileOrText() throws IOException {
        Path f = MergeFixtures.recipe(tmp, "sliced", """
                merge_method: task_arithmetic
                base_model: b
                slices:
                  - sources:
                      - {model: x, layer_range: [0, 1], parameters: {weight: [0.2, 0.8]}}
                      - {model: b, layer_range: [0, 1]}
                    base_model: b
                select: {include: [mlp], rest_from: x}
                tokenizer_source: base
                """);
        MergeRecipe r = RecipeParser.parse(f).withModelRefs(String::toUpperCase);
        assertNull(r.file());
        assertNull(r.yaml());
        assertEquals(Optional.of("B"), r.baseModel());
        assertEquals(List.of("X", "B"), r.slices().get(0).sources().stream().map(SourceSpec::model).toList());
        assertEquals(Optional.of("B"), r.slices().get(0).baseModel());
        assertEquals("X", r.selection().orElseThrow().restFrom());
        assertEquals(Optional.of("base"), r.tokenizerSource(), "a keyword, not a model");
        assertTrue(r.mergekitYaml().contains("rest_from: X"), r.mergekitYaml());
        assertEquals(r, RecipeParser.parseStages(f, r.mergekitYaml()).get(0).withModelRefs(x -> x),
                "written and read back: the same recipe");
    }
}
