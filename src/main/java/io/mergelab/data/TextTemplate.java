package io.mergelab.data;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The {@code text:} of a spec: either a bare column name, or a template such as {@code "{condition}: {review}"}
 * joining columns ({@code {{} and {@code }}} write literal braces).
 */
public final class TextTemplate {
    private final String source;
    private final List<String> literals; // literals.size() == columns.size() + 1
    private final List<String> columns;

    private TextTemplate(String source, List<String> literals, List<String> columns) {
        this.source = source;
        this.literals = List.copyOf(literals);
        this.columns = List.copyOf(columns);
    }

    /** Parses a spec's text field; a string without braces is one column name. */
    public static TextTemplate parse(String s) {
        if (s.indexOf('{') < 0 && s.indexOf('}') < 0) {
            return new TextTemplate(s, List.of("", ""), List.of(s.strip()));
        }
        List<String> literals = new ArrayList<>();
        List<String> columns = new ArrayList<>();
        StringBuilder lit = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '{' && i + 1 < s.length() && s.charAt(i + 1) == '{') {
                lit.append('{');
                i++;
            } else if (c == '}' && i + 1 < s.length() && s.charAt(i + 1) == '}') {
                lit.append('}');
                i++;
            } else if (c == '{') {
                int end = s.indexOf('}', i);
                if (end < 0) {
                    throw new IllegalArgumentException("unclosed '{' at character " + (i + 1) + " in \"" + s + "\"");
                }
                String name = s.substring(i + 1, end).strip();
                if (name.isEmpty()) {
                    throw new IllegalArgumentException("empty '{}' at character " + (i + 1) + " in \"" + s + "\"");
                }
                literals.add(lit.toString());
                lit.setLength(0);
                columns.add(name);
                i = end;
            } else if (c == '}') {
                throw new IllegalArgumentException("unmatched '}' at character " + (i + 1) + " in \"" + s
                        + "\" (write }} for a literal brace)");
            } else {
                lit.append(c);
            }
        }
        literals.add(lit.toString());
        return new TextTemplate(s, literals, columns);
    }

    /** The columns the template reads, in order of first use. */
    public Set<String> columns() {
        return new LinkedHashSet<>(columns);
    }

    /** Joins the given (already cleaned) values, one per placeholder, in placeholder order. */
    String render(List<String> values) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < columns.size(); i++) {
            sb.append(literals.get(i)).append(values.get(i));
        }
        return sb.append(literals.get(columns.size())).toString();
    }

    /** Placeholder column names, one per placeholder (repeats kept). */
    List<String> placeholders() {
        return columns;
    }

    @Override
    public String toString() {
        return source;
    }
}
