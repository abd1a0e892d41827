package io.mergelab.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Typed, position-aware access to one mapping of a spec; every error names the field and says what was expected. */
final class SpecMap {
    private final Map<String, Object> map;
    private final String path;
    private final SpecSource source;

    SpecMap(Map<String, Object> map, String path, SpecSource source) {
        this.map = map;
        this.path = path;
        this.source = source;
    }

    String field(String key) {
        if (key.isEmpty()) {
            return path;
        }
        return path.isEmpty() ? key : path + "." + key;
    }

    SpecSource source() {
        return source;
    }

    boolean has(String key) {
        return map.containsKey(key) && map.get(key) != null;
    }

    Object raw(String key) {
        return map.get(key);
    }

    Set<String> keys() {
        return map.keySet();
    }

    DatasetException error(String key, String message) {
        return source.error(field(key), message);
    }

    /** Rejects keys outside {@code allowed}, with a "did you mean" hint. */
    void checkKeys(Set<String> allowed) {
        for (Object k : map.keySet()) {
            String key = String.valueOf(k);
            if (!allowed.contains(key)) {
                String hint = Suggest.closest(key, allowed);
                throw source.error(field(key), "unknown field" + (hint != null ? " (did you mean '" + hint + "'?)" : "")
                        + "; allowed here: " + new TreeSet<>(allowed));
            }
        }
    }

    String string(String key) {
        Object v = map.get(key);
        if (v == null) {
            return null;
        }
        if (v instanceof Map || v instanceof List) {
            throw error(key, "expected a string, found " + typeName(v));
        }
        return String.valueOf(v);
    }

    String requiredString(String key, String expected) {
        String s = string(key);
        if (s == null || s.isBlank()) {
            throw error(key, "missing; expected " + expected);
        }
        return s;
    }

    Integer integer(String key) {
        Object v = map.get(key);
        if (v == null) {
            return null;
        }
        if (v instanceof Integer || v instanceof Long) {
            long l = ((Number) v).longValue();
            if (l > Integer.MAX_VALUE || l < Integer.MIN_VALUE) {
                throw error(key, "number " + l + " is too large");
            }
            return (int) l;
        }
        throw error(key, "expected a whole number, found " + typeName(v) + " '" + v + "'");
    }

    Double number(String key) {
        Object v = map.get(key);
        if (v == null) {
            return null;
        }
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        throw error(key, "expected a number, found " + typeName(v) + " '" + v + "'");
    }

    Boolean bool(String key) {
        Object v = map.get(key);
        if (v == null) {
            return null;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        throw error(key, "expected true or false, found " + typeName(v) + " '" + v + "'");
    }

    SpecMap map(String key) {
        Object v = map.get(key);
        if (v == null) {
            return null;
        }
        if (!(v instanceof Map<?, ?> m)) {
            throw error(key, "expected a mapping (key: value lines), found " + typeName(v));
        }
        return new SpecMap(stringKeys(m), field(key), source);
    }

    List<Object> list(String key) {
        Object v = map.get(key);
        if (v == null) {
            return null;
        }
        if (!(v instanceof List<?> l)) {
            throw error(key, "expected a list, found " + typeName(v));
        }
        return new ArrayList<>(l);
    }

    /** Scalars of a list as strings (numbers written as YAML numbers become their text). */
    List<String> stringList(String key) {
        List<Object> l = list(key);
        if (l == null) {
            return null;
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < l.size(); i++) {
            Object o = l.get(i);
            if (o == null || o instanceof Map || o instanceof List) {
                throw source.error(field(key) + "[" + i + "]", "expected a string, found " + typeName(o));
            }
            out.add(scalarText(o));
        }
        return out;
    }

    /** Element {@code i} of a list field as a mapping. */
    SpecMap listItemMap(String key, int i, Object item) {
        String f = field(key) + "[" + i + "]";
        if (!(item instanceof Map<?, ?> m)) {
            throw source.error(f, "expected a mapping, found " + typeName(item));
        }
        return new SpecMap(stringKeys(m), f, source);
    }

    static String scalarText(Object o) {
        if (o instanceof Double d && d == Math.rint(d) && !d.isInfinite()) {
            return String.valueOf(d.longValue());
        }
        return String.valueOf(o);
    }

    static Map<String, Object> stringKeys(Map<?, ?> m) {
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        m.forEach((k, v) -> out.put(String.valueOf(k), v));
        return out;
    }

    static String typeName(Object v) {
        if (v == null) {
            return "nothing";
        }
        if (v instanceof Map) {
            return "a mapping";
        }
        if (v instanceof List) {
            return "a list";
        }
        if (v instanceof Boolean) {
            return "a boolean";
        }
        if (v instanceof Number) {
            return "a number";
        }
        return "a string";
    }
}
