package io.mergelab.merge.recipe;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * A mergekit recipe, parsed from YAML ({@link RecipeParser}) or built in code (a study's merge step). {@code models:}
 * recipes are kept as written ({@link #models}); the planner normalises them into one slice as mergekit does.
 *
 * @param file        the YAML file (for messages and to resolve relative model paths); null when built in code
 * @param yaml        the exact text, copied to {@code mergekit_config.yml}; null when built in code, and then
 *                    {@link #mergekitYaml()} writes the recipe out
 * @param name        stage name (staged recipes); "merge" for a single recipe
 * @param accumulateFloat32 mergelab extension {@code accumulate: float32} (mergekit ignores the key): compute in
 *                    float32 from the inputs as read and round once on output, instead of in {@code dtype} as mergekit
 */
public record MergeRecipe(Path file, String yaml, String name, String mergeMethod, Optional<String> baseModel,
        List<SourceSpec> models, List<SliceSpec> slices, Map<String, ParamValue> parameters,
        Optional<String> dtype, Optional<String> outDtype, Optional<String> tokenizerSource,
        Optional<Selection> selection, boolean accumulateFloat32) {

    public MergeRecipe {
        models = List.copyOf(models);
        slices = List.copyOf(slices);
        parameters = Map.copyOf(parameters);
    }

    /** A {@code models:} recipe built in code (no file, no text). */
    public static MergeRecipe of(String mergeMethod, Optional<String> baseModel, List<SourceSpec> models,
                                 Map<String, ParamValue> parameters, Optional<String> dtype) {
        return new MergeRecipe(null, null, "merge", mergeMethod, baseModel, models, List.of(), parameters, dtype,
                Optional.empty(), Optional.empty(), Optional.empty(), false);
    }

    /** How messages name the recipe: its file, or "recipe" for one built in code. */
    public String where() {
        return file != null ? file.toString() : "recipe";
    }

    public boolean usesSlices() {
        return !slices.isEmpty();
    }

    /** What {@code mergekit_config.yml} holds: the text as read, else the recipe written out by {@link RecipeYaml}. */
    public String mergekitYaml() {
        return yaml != null ? yaml : RecipeYaml.write(List.of(this));
    }

    /** This recipe with {@code text} as its {@code mergekit_config.yml} (a staged recipe's whole text). */
    public MergeRecipe withYaml(String text) {
        return new MergeRecipe(file, text, name, mergeMethod, baseModel, models, slices, parameters, dtype, outDtype,
                tokenizerSource, selection, accumulateFloat32);
    }

    /**
     * This recipe with every model reference ({@code base_model}, each model and slice source, {@code select}'s
     * {@code rest_from}) mapped by {@code f}. The result is built in code: the file's text and folder no longer
     * describe it, so it has neither.
     */
    public MergeRecipe withModelRefs(UnaryOperator<String> f) {
        List<SourceSpec> m = models.stream().map(s -> s.withModel(f.apply(s.model()))).toList();
        List<SliceSpec> sl = slices.stream().map(s -> new SliceSpec(
                s.sources().stream().map(x -> x.withModel(f.apply(x.model()))).toList(), s.baseModel().map(f),
                s.parameters())).toList();
        Optional<Selection> sel = selection.map(s -> new Selection(s.include(), s.layers(), f.apply(s.restFrom())));
        return new MergeRecipe(null, null, name, mergeMethod, baseModel.map(f), m, sl, parameters, dtype, outDtype,
                tokenizerSource, sel, accumulateFloat32);
    }
}
