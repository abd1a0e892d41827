package io.mergelab.yaml;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A YAML value that remembers where it was written, so every error can point at it.
 * Scalars keep their resolved YAML type (str, int, float, bool, null) as SnakeYAML's resolver decided it.
 */
public sealed interface Node permits Node.Scalar, Node.MapNode, Node.ListNode {
    Mark mark();

    /** What a user would call this value's type, for error messages. */
    String kind();

    /** The plain Java value (String/Long/Double/Boolean/null, Map, List) with marks dropped. */
    Object plain();

    enum ScalarType { STR, INT, FLOAT, BOOL, NULL }

    record Scalar(String text, ScalarType type, Mark mark) implements Node {
        @Override
        public String kind() {
            return switch (type) {
                case STR -> "a string";
                case INT -> "an integer";
                case FLOAT -> "a number";
                case BOOL -> "a boolean";
                case NULL -> "nothing (null)";
            };
        }

        @Override
        public Object plain() {
            return switch (type) {
                case STR -> text;
                case INT -> parseInt(text);
                case FLOAT -> parseFloat(text);
                case BOOL -> Boolean.parseBoolean(text.toLowerCase(java.util.Locale.ROOT));
                case NULL -> null;
            };
        }

        private static Object parseInt(String text) {
            String t = text.replace("_", "");
            try {
                return Long.decode(t.startsWith("+") ? t.substring(1) : t);
            } catch (NumberFormatException e) {
                return text;
            }
        }

        private static Object parseFloat(String text) {
            String t = text.replace("_", "").toLowerCase(java.util.Locale.ROOT);
            return switch (t) {
                case ".inf", "+.inf" -> Double.POSITIVE_INFINITY;
                case "-.inf" -> Double.NEGATIVE_INFINITY;
                case ".nan" -> Double.NaN;
                default -> {
                    try {
                        yield Double.parseDouble(t);
                    } catch (NumberFormatException e) {
                        yield text;
                    }
                }
            };
        }

        public boolean isNull() {
            return type == ScalarType.NULL;
        }
    }

    /** One key of a mapping with the position of the key itself. */
    record Entry(String key, Mark keyMark, Node value) {
    }

    record MapNode(Map<String, Entry> entries, Mark mark) implements Node {
        public MapNode {
            entries = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(entries));
        }

        @Override
        public String kind() {
            return "a mapping";
        }

        @Override
        public Object plain() {
            Map<String, Object> out = new LinkedHashMap<>();
            entries.forEach((k, e) -> out.put(k, e.value().plain()));
            return out;
        }

        public Node get(String key) {
            Entry e = entries.get(key);
            return e == null ? null : e.value();
        }

        public boolean has(String key) {
            Entry e = entries.get(key);
            return e != null && !(e.value() instanceof Scalar s && s.isNull());
        }
    }

    record ListNode(List<Node> items, Mark mark) implements Node {
        public ListNode {
            items = List.copyOf(items);
        }

        @Override
        public String kind() {
            return "a list";
        }

        @Override
        public Object plain() {
            List<Object> out = new ArrayList<>();
            for (Node n : items) {
                out.add(n.plain());
            }
            return out;
        }
    }
}
