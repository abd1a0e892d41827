package io.mergelab.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One entry of {@code filters:}: a row is kept only when its (raw) column value passes every condition given,
 * e.g. {@code {column: condition, not_empty: true, not_contains: "</span>"}} or {@code {column: rating, min: 1, max: 10}}.
 */
public final class RowFilter {
    private static final Set<String> KEYS = Set.of("column", "not_empty", "contains", "not_contains", "matches",
            "not_matches", "in", "not_in", "min", "max");

    private final String column;
    private final String field;
    private final boolean notEmpty;
    private final String contains;
    private final String notContains;
    private final Pattern matches;
    private final Pattern notMatches;
    private final Set<String> in;
    private final Set<String> notIn;
    private final Double min;
    private final Double max;

    private RowFilter(String column, String field, boolean notEmpty, String contains, String notContains,
                      Pattern matches, Pattern notMatches, Set<String> in, Set<String> notIn, Double min, Double max) {
        this.column = column;
        this.field = field;
        this.notEmpty = notEmpty;
        this.contains = contains;
        this.notContains = notContains;
        this.matches = matches;
        this.notMatches = notMatches;
        this.in = in;
        this.notIn = notIn;
        this.min = min;
        this.max = max;
    }

    public String column() {
        return column;
    }

    /** The spec field this filter came from, e.g. {@code filters[1]}. */
    public String field() {
        return field;
    }

    static List<RowFilter> parseAll(SpecMap spec) {
        List<Object> raw = spec.list("filters");
        List<RowFilter> out = new ArrayList<>();
        if (raw == null) {
            return out;
        }
        for (int i = 0; i < raw.size(); i++) {
            SpecMap f = spec.listItemMap("filters", i, raw.get(i));
            f.checkKeys(KEYS);
            String column = f.requiredString("column", "the column this filter tests");
            if (f.keys().size() < 2) {
                throw f.error("", "no condition; give one of not_empty, contains, not_contains, matches, not_matches, in, not_in, min, max");
            }
            Boolean notEmpty = f.bool("not_empty");
            List<String> in = f.stringList("in");
            List<String> notIn = f.stringList("not_in");
            out.add(new RowFilter(column, f.field(""), Boolean.TRUE.equals(notEmpty), f.string("contains"),
                    f.string("not_contains"), regex(f, "matches"), regex(f, "not_matches"),
                    in == null ? null : Set.copyOf(in), notIn == null ? null : Set.copyOf(notIn),
                    f.number("min"), f.number("max")));
        }
        return out;
    }

    private static Pattern regex(SpecMap f, String key) {
        String s = f.string(key);
        if (s == null) {
            return null;
        }
        try {
            return Pattern.compile(s);
        } catch (PatternSyntaxException e) {
            throw f.error(key, "bad regular expression: " + e.getDescription());
        }
    }

    /**
     * Whether a row with this column value is kept.
     *
     * @throws IllegalArgumentException when min/max test a value that is not a number
     */
    public boolean keep(String rawValue) {
        String v = rawValue.strip();
        if (notEmpty && v.isEmpty()) {
            return false;
        }
        if (contains != null && !v.contains(contains)) {
            return false;
        }
        if (notContains != null && v.contains(notContains)) {
            return false;
        }
        if (matches != null && !matches.matcher(v).find()) {
            return false;
        }
        if (notMatches != null && notMatches.matcher(v).find()) {
            return false;
        }
        if (in != null && !in.contains(v)) {
            return false;
        }
        if (notIn != null && notIn.contains(v)) {
            return false;
        }
        if (min != null || max != null) {
            double d;
            try {
                d = Double.parseDouble(v);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("value '" + v + "' is not a number (min/max need numbers)");
            }
            return (min == null || d >= min) && (max == null || d <= max);
        }
        return true;
    }
}
