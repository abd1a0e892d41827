package io.mergelab.pipeline;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.mergelab.train.TrainingArgs;

import java.lang.reflect.Array;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Canonical JSON (sorted keys) and its SHA-256: the content address of a step. {@link #identity} turns an action
 * record into the plain tree that is hashed, so the id follows the record's declared fields and nothing else.
 */
public final class Canonical {
    static final ObjectMapper JSON = new ObjectMapper()
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true)
            .configure(SerializationFeature.INDENT_OUTPUT, true);
    /** Compact, sorted: the bytes a step id hashes. */
    private static final ObjectMapper HASHED = new ObjectMapper()
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    private Canonical() {
    }

    public static ObjectMapper json() {
        return JSON;
    }

    /** 12 hex digits of the SHA-256 of {kind, inputs, deps, planner version}. */
    static String hash(String kind, Map<String, Object> inputs, List<String> deps) {
        Map<String, Object> all = new TreeMap<>();
        all.put("kind", kind);
        all.put("inputs", identity(inputs));
        all.put("deps", deps);
        all.put("v", StudyPlanner.VERSION);
        try {
            return sha256(HASHED.writeValueAsBytes(all)).substring(0, 12);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot hash step inputs: " + e.getMessage(), e);
        }
    }

    /** {@link #identity} of a record or map, as a map (a step's {@code inputs}). */
    static Map<String, Object> identityMap(Object value) {
        if (identity(value) instanceof Map<?, ?> m) {
            @SuppressWarnings("unchecked")
            Map<String, Object> out = (Map<String, Object>) m;
            return out;
        }
        throw new IllegalArgumentException("a step's identity must be a record or a map, got "
                + (value == null ? "null" : value.getClass().getName()));
    }

    /**
     * The plain tree (sorted maps, lists, strings, longs, doubles, booleans) a value stands for in a step id.
     * Records become maps of their components under snake_case names, without those marked {@link NotInStepId}
     * and without nulls (an added optional component leaves old ids alone); a record of a sealed type also names
     * its type. Integral numbers become longs and floats doubles, so 1 and 1L, 0.5f and 0.5 hash alike; Jackson
     * writes doubles with {@link Double#toString}, the shortest form that reads back to the same double.
     * {@link TrainingArgs} stand for their effective values (defaults filled in), which is what a trainer uses.
     * Any other type is refused, so a field cannot slip into an id by its {@code toString}.
     */
    static Object identity(Object v) {
        if (v == null || v instanceof String || v instanceof Boolean || v instanceof Long || v instanceof Double) {
            return v;
        }
        if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        if (v instanceof Float f) {
            return f.doubleValue();
        }
        if (v instanceof Character || v instanceof Path) {
            return v.toString();
        }
        if (v instanceof Enum<?> e) {
            return e.name().toLowerCase(Locale.ROOT);
        }
        if (v instanceof Optional<?> o) {
            return identity(o.orElse(null));
        }
        if (v instanceof TrainingArgs t) {
            return identity(t.effectiveValues());
        }
        if (v instanceof Record r) {
            return record(r);
        }
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new TreeMap<>();
            m.forEach((k, x) -> {
                Object c = identity(x);
                if (c != null) {
                    out.put(String.valueOf(k), c);
                }
            });
            return out;
        }
        if (v instanceof Set<?> s) { // no order of its own: sorted by canonical form
            List<Object> out = new ArrayList<>();
            s.forEach(x -> out.add(identity(x)));
            out.sort(Comparator.comparing(Canonical::compact));
            return out;
        }
        if (v instanceof Collection<?> c) {
            List<Object> out = new ArrayList<>();
            c.forEach(x -> out.add(identity(x)));
            return out;
        }
        if (v.getClass().isArray()) {
            List<Object> out = new ArrayList<>();
            for (int i = 0; i < Array.getLength(v); i++) {
                out.add(identity(Array.get(v, i)));
            }
            return out;
        }
        throw new IllegalArgumentException("a step id cannot hold a " + v.getClass().getName()
                + ": make it a record, or mark the component @NotInStepId");
    }

    private static Map<String, Object> record(Record r) {
        Map<String, Object> out = new TreeMap<>();
        for (RecordComponent c : r.getClass().getRecordComponents()) {
            if (c.isAnnotationPresent(NotInStepId.class)) {
                continue;
            }
            Object value;
            try {
                java.lang.reflect.Method accessor = c.getAccessor();
                accessor.setAccessible(true); // records of this package are package-private
                value = identity(accessor.invoke(r));
            } catch (IllegalAccessException | InvocationTargetException e) {
                throw new IllegalStateException("cannot read " + r.getClass().getSimpleName() + "." + c.getName(), e);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(r.getClass().getSimpleName() + "." + c.getName() + ": "
                        + e.getMessage(), e);
            }
            if (value != null) {
                out.put(snakeCase(c.getName()), value);
            }
        }
        for (Class<?> i : r.getClass().getInterfaces()) {
            if (i.isSealed()) { // ParamValue.Scalar and .Gradient must not meet under one shape
                out.put("@type", snakeCase(r.getClass().getSimpleName()));
            }
        }
        return out;
    }

    static String snakeCase(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
    }

    private static String compact(Object tree) {
        try {
            return HASHED.writeValueAsString(tree);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static Map<String, Object> freeze(Map<String, Object> m) {
        return m == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(m));
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String sha256(String text) {
        return sha256(text.getBytes(StandardCharsets.UTF_8));
    }
}
