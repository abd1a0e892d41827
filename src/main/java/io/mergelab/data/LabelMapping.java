package io.mergelab.data;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code label:} of a spec: which column holds the label and how its values become label ids
 * {@code 0..names.size()-1}. One of:
 * <ul>
 *   <li>identity: the value is a label name or an id (needs {@code names} or {@code num_labels});</li>
 *   <li>{@code map: {neg: 0, pos: 1}} (values are ids or names);</li>
 *   <li>{@code transform: "rating - 1"} (a number plus or minus a whole offset);</li>
 *   <li>{@code bins: [[1,4],[5,6],[7,10]]} (inclusive numeric ranges, bin index = label id).</li>
 * </ul>
 */
public final class LabelMapping {
    /** How raw values become ids. */
    public enum Kind { IDENTITY, MAP, TRANSFORM, BINS }

    private static final Set<String> KEYS = Set.of("column", "names", "num_labels", "transform", "map", "bins");
    private static final Pattern TRANSFORM = Pattern.compile("\\s*([A-Za-z_][A-Za-z0-9_.]*)\\s*(?:([+-])\\s*(\\d+))?\\s*");

    private final String column;
    private final List<String> names;
    private final Kind kind;
    private final Map<String, Integer> map;
    private final int offset;
    private final List<double[]> bins;
    private final String rule; // as written in the spec, for messages

    private LabelMapping(String column, List<String> names, Kind kind, Map<String, Integer> map, int offset,
                         List<double[]> bins, String rule) {
        this.column = column;
        this.names = List.copyOf(names);
        this.kind = kind;
        this.map = map == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(map));
        this.offset = offset;
        this.bins = bins == null ? List.of() : bins.stream().map(double[]::clone).toList();
        this.rule = rule;
    }

    public String column() {
        return column;
    }

    public List<String> names() {
        return names;
    }

    public Kind kind() {
        return kind;
    }

    /** The rule as a user reads it, e.g. {@code rating - 1} or {@code bins [[1,4],[5,6],[7,10]]}. */
    public String rule() {
        return rule;
    }

    static LabelMapping parse(SpecMap label, String defaultColumn) {
        label.checkKeys(KEYS);
        int rules = (label.has("transform") ? 1 : 0) + (label.has("map") ? 1 : 0) + (label.has("bins") ? 1 : 0);
        if (rules > 1) {
            throw label.error("", "give at most one of transform, map, bins");
        }
        String column = label.string("column");
        List<String> names = names(label);
        if (label.has("transform")) {
            String t = label.string("transform");
            Matcher m = TRANSFORM.matcher(t);
            if (!m.matches()) {
                throw label.error("transform", "cannot parse \"" + t + "\"; expected COLUMN, COLUMN - N or COLUMN + N");
            }
            if (column != null && !column.equals(m.group(1))) {
                throw label.error("transform", "uses column '" + m.group(1) + "' but label.column is '" + column + "'");
            }
            int offset = m.group(2) == null ? 0 : ("-".equals(m.group(2)) ? -1 : 1) * Integer.parseInt(m.group(3));
            requireNames(label, names, "transform");
            return new LabelMapping(m.group(1), names, Kind.TRANSFORM, null, offset, null, t.strip());
        }
        if (column == null) {
            column = defaultColumn;
        }
        if (column == null) {
            throw label.error("column", "missing; expected the name of the column holding the label");
        }
        if (label.has("map")) {
            return parseMap(label, column, names);
        }
        if (label.has("bins")) {
            return parseBins(label, column, names);
        }
        requireNames(label, names, "an identity label");
        return new LabelMapping(column, names, Kind.IDENTITY, null, 0, null, "identity");
    }

    private static List<String> names(SpecMap label) {
        List<String> names = label.stringList("names");
        Integer n = label.integer("num_labels");
        if (n != null && n < 2) {
            throw label.error("num_labels", "must be at least 2, got " + n);
        }
        if (names != null) {
            if (names.size() < 2) {
                throw label.error("names", "a label space needs at least 2 names, got " + names);
            }
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < names.size(); i++) {
                if (!seen.add(names.get(i))) {
                    throw label.source().error(label.field("names") + "[" + i + "]", "duplicate label name '" + names.get(i) + "'");
                }
            }
            if (n != null && n != names.size()) {
                throw label.error("num_labels", n + " disagrees with the " + names.size() + " label names");
            }
            return names;
        }
        if (n == null) {
            return null;
        }
        List<String> generated = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            generated.add(String.valueOf(i));
        }
        return generated;
    }

    private static void requireNames(SpecMap label, List<String> names, String what) {
        if (names == null) {
            throw label.error("names", "missing; " + what + " needs the label space: names: [...] or num_labels: N");
        }
    }

    private static LabelMapping parseMap(SpecMap label, String column, List<String> names) {
        SpecMap m = label.map("map");
        if (m.keys().isEmpty()) {
            throw label.error("map", "empty; expected raw value: label id or name");
        }
        Map<String, Integer> ids = new LinkedHashMap<>();
        List<String> derived = names == null ? new ArrayList<>() : null;
        boolean allInts = m.keys().stream().allMatch(k -> m.raw(k) instanceof Integer);
        for (String k : m.keys()) {
            Object v = m.raw(k);
            int id;
            if (v instanceof Integer i) {
                id = i;
                if (names != null && (id < 0 || id >= names.size())) {
                    throw m.error(k, "label id " + id + " is outside 0.." + (names.size() - 1) + " (names: " + names + ")");
                }
            } else if (v instanceof String s) {
                if (names != null) {
                    id = names.indexOf(s);
                    if (id < 0) {
                        throw m.error(k, "'" + s + "' is not a label name " + names);
                    }
                } else if (allInts) {
                    throw m.error(k, "expected a label id");
                } else {
                    id = derived.indexOf(s);
                    if (id < 0) {
                        derived.add(s);
                        id = derived.size() - 1;
                    }
                }
            } else {
                throw m.error(k, "expected a label id (0, 1, ...) or a label name, found " + SpecMap.typeName(v));
            }
            ids.put(k.strip(), id);
        }
        if (names == null) {
            if (allInts) {
                int max = ids.values().stream().mapToInt(Integer::intValue).max().orElse(-1);
                derived = new ArrayList<>();
                for (int id = 0; id <= max; id++) {
                    final int want = id;
                    String key = ids.entrySet().stream().filter(e -> e.getValue() == want).map(Map.Entry::getKey)
                            .findFirst().orElseThrow(() -> label.error("map", "no value maps to label id " + want
                                    + "; give names: [...] for the label space"));
                    derived.add(key);
                }
            }
            if (derived.size() < 2) {
                throw label.error("map", "maps everything to one label; a classifier needs at least 2");
            }
            names = derived;
        }
        return new LabelMapping(column, names, Kind.MAP, ids, 0, null, "map " + ids);
    }

    private static LabelMapping parseBins(SpecMap label, String column, List<String> names) {
        List<Object> raw = label.list("bins");
        List<double[]> bins = new ArrayList<>();
        for (int i = 0; i < raw.size(); i++) {
            String f = label.field("bins") + "[" + i + "]";
            if (!(raw.get(i) instanceof List<?> pair) || pair.size() != 2
                    || !(pair.get(0) instanceof Number lo) || !(pair.get(1) instanceof Number hi)) {
                throw label.source().error(f, "expected [low, high] (inclusive numbers), found " + raw.get(i));
            }
            if (lo.doubleValue() > hi.doubleValue()) {
                throw label.source().error(f, "low " + lo + " is above high " + hi);
            }
            for (int j = 0; j < bins.size(); j++) {
                double[] b = bins.get(j);
                if (lo.doubleValue() <= b[1] && hi.doubleValue() >= b[0]) {
                    throw label.source().error(f, "overlaps bin " + j + " " + binText(b));
                }
            }
            bins.add(new double[] {lo.doubleValue(), hi.doubleValue()});
        }
        if (bins.size() < 2) {
            throw label.error("bins", "need at least 2 bins, got " + bins.size());
        }
        if (names == null) {
            names = bins.stream().map(b -> SpecMap.scalarText(b[0]) + "-" + SpecMap.scalarText(b[1])).toList();
        } else if (names.size() != bins.size()) {
            throw label.error("names", names.size() + " names for " + bins.size() + " bins");
        }
        StringBuilder rule = new StringBuilder("bins [");
        for (int i = 0; i < bins.size(); i++) {
            rule.append(i > 0 ? "," : "").append(binText(bins.get(i)));
        }
        return new LabelMapping(column, names, Kind.BINS, null, 0, bins, rule.append(']').toString());
    }

    private static String binText(double[] b) {
        return "[" + SpecMap.scalarText(b[0]) + "," + SpecMap.scalarText(b[1]) + "]";
    }

    /**
     * Maps one raw value to a label id.
     *
     * @throws IllegalArgumentException with a message that shows the value and the label space
     */
    public int apply(String raw) {
        String v = raw.strip();
        int id;
        switch (kind) {
            case IDENTITY -> {
                id = names.indexOf(v);
                if (id < 0) {
                    Long n = wholeNumber(v);
                    if (n == null) {
                        throw new IllegalArgumentException("value '" + v + "' is neither a label name " + names
                                + " nor a label id 0.." + (names.size() - 1));
                    }
                    id = checkRange(n, v);
                }
            }
            case MAP -> {
                Integer mapped = map.get(v);
                if (mapped == null) {
                    throw new IllegalArgumentException("value '" + v + "' is not a key of label.map " + map.keySet());
                }
                id = mapped;
            }
            case TRANSFORM -> {
                Long n = wholeNumber(v);
                if (n == null) {
                    throw new IllegalArgumentException("value '" + v + "' is not a whole number (label.transform " + rule + ")");
                }
                id = checkRange(n + offset, v);
            }
            case BINS -> {
                double d;
                try {
                    d = Double.parseDouble(v);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("value '" + v + "' is not a number (label." + rule + ")");
                }
                id = -1;
                for (int i = 0; i < bins.size(); i++) {
                    if (d >= bins.get(i)[0] && d <= bins.get(i)[1]) {
                        id = i;
                    }
                }
                if (id < 0) {
                    throw new IllegalArgumentException("value '" + v + "' falls in no bin of label." + rule
                            + ", outside the label space " + names);
                }
            }
            default -> throw new IllegalStateException(kind.name());
        }
        return id;
    }

    private int checkRange(long id, String raw) {
        if (id < 0 || id >= names.size()) {
            throw new IllegalArgumentException("value '" + raw + "' gives label " + id + ", outside the label space 0.."
                    + (names.size() - 1) + " " + names + (kind == Kind.TRANSFORM ? " (label.transform " + rule + ")" : ""));
        }
        return (int) id;
    }

    private static Long wholeNumber(String v) {
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            try {
                double d = Double.parseDouble(v);
                return d == Math.rint(d) && !Double.isInfinite(d) ? (long) d : null;
            } catch (NumberFormatException e2) {
                return null;
            }
        }
    }
}
