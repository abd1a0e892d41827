package io.mergelab.merge.recipe;

import java.util.Map;
import java.util.Optional;

/**
 * One input of a slice (or one {@code models[]} entry).
 *
 * @param layerRange half-open [start, end) of input layers; empty for a whole-model entry
 */
public record SourceSpec(String model, Optional<LayerRange> layerRange, Map<String, ParamValue> parameters) {
    public SourceSpec {
        parameters = Map.copyOf(parameters);
    }

    public SourceSpec withModel(String other) {
        return new SourceSpec(other, layerRange, parameters);
    }

    public record LayerRange(int start, int end) {
        public int length() {
            return end - start;
        }
    }
}
