package io.mergelab.merge.recipe;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A parsed mergekit recipe. {@code models:} recipes are kept as written ({@link #models}); the planner
 * normalises them into one slice as mergekit does.
 *
 * @param file        the YAML file (for messages and to resolve relative model paths)
 * @param yaml        the exact text, copied to {@code mergekit_config.yml}
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

    public boolean usesSlices() {
        return !slices.isEmpty();
    }
}
