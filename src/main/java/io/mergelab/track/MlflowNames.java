package io.mergelab.track;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** MLflow's limits on keys and values (mlflow/utils/validation.py), and config flattening into params. */
public final class MlflowNames {
    private MlflowNames() {}

    public static final int MAX_KEY_LENGTH = 250;
    public static final int MAX_PARAM_VALUE_LENGTH = 6000;
    public static final int MAX_TAG_VALUE_LENGTH = 8000;
    public static final int MAX_PARAMS_TAGS_PER_BATCH = 100;
    public static final int MAX_METRICS_PER_BATCH = 1000;

    /** Keys may hold letters, digits, '_', '-', '.', ' ', '/'; anything else becomes '_'. */
    public static String key(String raw) {
        StringBuilder b = new StringBuilder(raw.length());
        for (char c : raw.toCharArray()) {
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '_' || c == '-' || c == '.' || c == ' ' || c == '/';
            b.append(ok ? c : '_');
        }
        String k = b.toString();
        return k.length() <= MAX_KEY_LENGTH ? k : shorten(k, MAX_KEY_LENGTH);
    }

    public static String paramValue(String v) {
        return v.length() <= MAX_PARAM_VALUE_LENGTH ? v : shorten(v, MAX_PARAM_VALUE_LENGTH);
    }

    public static String tagValue(String v) {
        return v.length() <= MAX_TAG_VALUE_LENGTH ? v : shorten(v, MAX_TAG_VALUE_LENGTH);
    }

    /** Keeps the head and ends with a hash of the whole, so different long values stay different. */
    static String shorten(String s, int max) {
        String suffix = "...#" + sha256(s).substring(0, 12);
        return s.substring(0, max - suffix.length()) + suffix;
    }

    /**
     * Flattens nested maps into dotted keys. Lists of scalars become one value {@code [a, b]}; lists holding
     * maps are indexed ({@code merge.models.0.model}). Keys and values are cut to MLflow's limits.
     */
    public static Map<String, String> flatten(Map<String, ?> config) {
        Map<String, String> out = new LinkedHashMap<>();
        flatten("", config, out);
        return out;
    }

    private static void flatten(String prefix, Object value, Map<String, String> out) {
        if (value instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> e : map.entrySet()) {
                flatten(prefix.isEmpty() ? String.valueOf(e.getKey()) : prefix + "." + e.getKey(), e.getValue(), out);
            }
        } else if (value instanceof List<?> list && list.stream().anyMatch(x -> x instanceof Map || x instanceof List)) {
            for (int i = 0; i < list.size(); i++) {
                flatten(prefix + "." + i, list.get(i), out);
            }
        } else if (value instanceof List<?> list) {
            out.put(key(prefix), paramValue(list.stream().map(String::valueOf).collect(Collectors.joining(", ", "[", "]"))));
        } else {
            out.put(key(prefix), paramValue(String.valueOf(value)));
        }
    }

    static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
