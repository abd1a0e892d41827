package io.mergelab.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** Unmodifiable, order-keeping copies that (unlike Map.copyOf) allow null values, as YAML has them. */
final class Frozen {
    private Frozen() {
    }

    static <K, V> Map<K, V> map(Map<K, V> m) {
        return m == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(m));
    }
}
