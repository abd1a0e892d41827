package io.mergelab.yaml;

import io.mergelab.data.Suggest;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Typed reads from a mapping node; every failure names the node's position and what was expected. */
public final class Fields {
    private final Node.MapNode map;
    private final String where;

    public Fields(Node node, String where) {
        if (!(node instanceof Node.MapNode m)) {
            throw new ConfigException(node.mark(), where + ": expected a mapping, got " + node.kind());
        }
        this.map = m;
        this.where = where;
    }

    public Node.MapNode node() {
        return map;
    }

    public Mark mark() {
        return map.mark();
    }

    public String path(String key) {
        return where.isEmpty() ? key : where + "." + key;
    }

    public boolean has(String key) {
        return map.has(key);
    }

    public Node get(String key) {
        return map.has(key) ? map.get(key) : null;
    }

    public Mark markOf(String key) {
        Node n = get(key);
        return n != null ? n.mark() : map.mark();
    }

    public void allowOnly(Collection<String> allowed) {
        for (Node.Entry e : map.entries().values()) {
            if (!allowed.contains(e.key())) {
                String hint = Suggest.closest(e.key(), allowed);
                throw new ConfigException(e.keyMark(), "unknown key '" + path(e.key()) + "'"
                        + (hint != null ? " (did you mean '" + hint + "'?)" : "")
                        + "; expected one of " + String.join(", ", allowed));
            }
        }
    }

    public Node require(String key) {
        Node n = get(key);
        if (n == null) {
            throw new ConfigException(map.mark(), "missing required key '" + path(key) + "'");
        }
        return n;
    }

    public String string(String key, String fallback) {
        Node n = get(key);
        return n == null ? fallback : asString(n, path(key));
    }

    public String requireString(String key) {
        return asString(require(key), path(key));
    }

    public static String asString(Node n, String what) {
        if (n instanceof Node.Scalar s && !s.isNull()) {
            return s.text();
        }
        throw new ConfigException(n.mark(), what + ": expected a string, got " + n.kind());
    }

    public long integer(String key, long fallback, long min, long max) {
        Node n = get(key);
        return n == null ? fallback : asLong(n, path(key), min, max);
    }

    public static long asLong(Node n, String what, long min, long max) {
        Object v = n instanceof Node.Scalar s ? s.plain() : null;
        if (!(v instanceof Long l)) {
            throw new ConfigException(n.mark(), what + ": expected an integer, got " + describe(n));
        }
        if (l < min || l > max) {
            throw new ConfigException(n.mark(), what + ": expected an integer in [" + min + ", " + max + "], got " + l);
        }
        return l;
    }

    public double number(String key, double fallback) {
        Node n = get(key);
        return n == null ? fallback : asDouble(n, path(key));
    }

    public static double asDouble(Node n, String what) {
        if (n instanceof Node.Scalar s) {
            Object v = s.plain();
            if (v instanceof Number num) {
                return num.doubleValue();
            }
            if (s.type() == Node.ScalarType.STR) {
                try { // YAML 1.1 reads 2e-5 as a string; researchers mean a number
                    return Double.parseDouble(s.text().strip());
                } catch (NumberFormatException ignored) {
                    // fall through to the error
                }
            }
        }
        throw new ConfigException(n.mark(), what + ": expected a number, got " + describe(n));
    }

    public static double asDoubleIn(Node n, String what, double min, boolean minOpen, double max) {
        double v = asDouble(n, what);
        if (Double.isNaN(v) || (minOpen ? v <= min : v < min) || v > max) {
            throw new ConfigException(n.mark(), what + ": expected a number in " + (minOpen ? "(" : "[") + min
                    + ", " + max + "], got " + v);
        }
        return v;
    }

    public boolean bool(String key, boolean fallback) {
        Node n = get(key);
        if (n == null) {
            return fallback;
        }
        if (n instanceof Node.Scalar s && s.type() == Node.ScalarType.BOOL) {
            return (Boolean) s.plain();
        }
        throw new ConfigException(n.mark(), path(key) + ": expected true or false, got " + describe(n));
    }

    public String choice(String key, String fallback, Set<String> allowed) {
        Node n = get(key);
        if (n == null) {
            return fallback;
        }
        return asChoice(n, path(key), allowed);
    }

    public static String asChoice(Node n, String what, Collection<String> allowed) {
        String v = asString(n, what);
        if (!allowed.contains(v)) {
            String hint = Suggest.closest(v, allowed);
            throw new ConfigException(n.mark(), what + ": unknown value '" + v + "'"
                    + (hint != null ? " (did you mean '" + hint + "'?)" : "")
                    + "; expected one of " + String.join(", ", allowed));
        }
        return v;
    }

    public List<Node> list(String key) {
        Node n = get(key);
        if (n == null) {
            return List.of();
        }
        if (n instanceof Node.ListNode l) {
            return l.items();
        }
        throw new ConfigException(n.mark(), path(key) + ": expected a list, got " + n.kind());
    }

    /** A list, or a single value standing for a one-element list (sweeps write {@code density: 0.5} too). */
    public List<Node> listOrOne(String key) {
        Node n = get(key);
        if (n == null) {
            return List.of();
        }
        if (n instanceof Node.ListNode l) {
            if (l.items().isEmpty()) {
                throw new ConfigException(n.mark(), path(key) + ": expected at least one value, got an empty list");
            }
            return l.items();
        }
        return List.of(n);
    }

    public Map<String, Object> plainMap(String key) {
        Node n = get(key);
        if (n == null) {
            return Map.of();
        }
        if (!(n instanceof Node.MapNode m)) {
            throw new ConfigException(n.mark(), path(key) + ": expected a mapping, got " + n.kind());
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> plain = (Map<String, Object>) m.plain();
        return new LinkedHashMap<>(plain);
    }

    public List<String> strings(String key) {
        List<String> out = new ArrayList<>();
        for (Node n : listOrOne(key)) {
            out.add(asString(n, path(key)));
        }
        return out;
    }

    public static String describe(Node n) {
        if (n instanceof Node.Scalar s && !s.isNull()) {
            return s.kind() + " '" + s.text() + "'";
        }
        return n.kind();
    }
}
