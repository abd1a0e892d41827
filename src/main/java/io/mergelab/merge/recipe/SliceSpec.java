package io.mergelab.merge.recipe;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A {@code slices[]} entry: sources of equal layer count merged into consecutive output layers. */
public record SliceSpec(List<SourceSpec> sources, Optional<String> baseModel, Map<String, ParamValue> parameters) {
    public SliceSpec {
        sources = List.copyOf(sources);
        parameters = Map.copyOf(parameters);
    }
}
