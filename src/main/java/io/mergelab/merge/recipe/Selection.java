package io.mergelab.merge.recipe;

import java.util.List;

/**
 * mergelab extension ({@code select:}; mergekit ignores the key): only tensors whose name contains one
 * of {@code include} (or whose layer is in {@code layers}) are merged; every other tensor is copied
 * from {@code restFrom}.
 */
public record Selection(List<String> include, List<Integer> layers, String restFrom) {
    public Selection {
        include = List.copyOf(include);
        layers = List.copyOf(layers);
    }

    public boolean selects(String hfTensorName, int layer) {
        if (layer >= 0 && layers.contains(layer)) {
            return true;
        }
        return include.stream().anyMatch(hfTensorName::contains);
    }
}
