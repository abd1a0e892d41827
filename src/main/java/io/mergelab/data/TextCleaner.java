package io.mergelab.data;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Clean-up steps a spec may apply (in {@code clean:} order) to every column value that goes into the text. */
public enum TextCleaner {
    /** Decodes HTML character references ({@code &#039;}, {@code &quot;}, {@code &amp;}, ...) as in the Drugs.com dump. */
    HTML_ENTITIES("html_entities"),
    /**
     * Removes one pair of double quotes around the whole value: the Drugs.com dump wraps every review in
     * {@code """...""""}, which the CSV parser turns into {@code "..."}.
     */
    STRIP_QUOTES("strip_quotes"),
    /** Trims and collapses runs of whitespace (including newlines) to one space. */
    WHITESPACE("whitespace");

    private final String yamlName;

    TextCleaner(String yamlName) {
        this.yamlName = yamlName;
    }

    public String yamlName() {
        return yamlName;
    }

    static TextCleaner parse(String s) {
        String v = s.trim().toLowerCase(Locale.ROOT).replace('-', '_');
        for (TextCleaner c : values()) {
            if (c.yamlName.equals(v)) {
                return c;
            }
        }
        return v.equals("html") ? HTML_ENTITIES : null;
    }

    static String choices() {
        return Arrays.stream(values()).map(TextCleaner::yamlName).collect(Collectors.joining(", "));
    }

    public String apply(String s) {
        return switch (this) {
            case HTML_ENTITIES -> decodeHtml(s);
            case STRIP_QUOTES -> s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"") ? s.substring(1, s.length() - 1) : s;
            case WHITESPACE -> s.strip().replaceAll("\\s+", " ");
        };
    }

    private static final Pattern ENTITY = Pattern.compile("&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});");

    // The named references that occur in review dumps; unknown names are left as written.
    private static final Map<String, String> NAMED = Map.ofEntries(
            Map.entry("amp", "&"), Map.entry("quot", "\""), Map.entry("apos", "'"), Map.entry("lt", "<"),
            Map.entry("gt", ">"), Map.entry("nbsp", "\u00a0"), Map.entry("rsquo", "\u2019"), Map.entry("lsquo", "\u2018"),
            Map.entry("rdquo", "\u201d"), Map.entry("ldquo", "\u201c"), Map.entry("ndash", "\u2013"),
            Map.entry("mdash", "\u2014"), Map.entry("hellip", "\u2026"), Map.entry("bull", "\u2022"),
            Map.entry("times", "\u00d7"), Map.entry("divide", "\u00f7"), Map.entry("euro", "\u20ac"),
            Map.entry("pound", "\u00a3"), Map.entry("cent", "\u00a2"), Map.entry("yen", "\u00a5"),
            Map.entry("copy", "\u00a9"), Map.entry("reg", "\u00ae"), Map.entry("trade", "\u2122"),
            Map.entry("deg", "\u00b0"), Map.entry("plusmn", "\u00b1"), Map.entry("frac12", "\u00bd"),
            Map.entry("frac14", "\u00bc"), Map.entry("frac34", "\u00be"), Map.entry("micro", "\u00b5"),
            Map.entry("middot", "\u00b7"), Map.entry("sect", "\u00a7"), Map.entry("para", "\u00b6"),
            Map.entry("eacute", "\u00e9"), Map.entry("egrave", "\u00e8"), Map.entry("ecirc", "\u00ea"),
            Map.entry("aacute", "\u00e1"), Map.entry("agrave", "\u00e0"), Map.entry("acirc", "\u00e2"),
            Map.entry("auml", "\u00e4"), Map.entry("ouml", "\u00f6"), Map.entry("uuml", "\u00fc"),
            Map.entry("iacute", "\u00ed"), Map.entry("oacute", "\u00f3"), Map.entry("uacute", "\u00fa"),
            Map.entry("ntilde", "\u00f1"), Map.entry("ccedil", "\u00e7"), Map.entry("szlig", "\u00df"),
            Map.entry("laquo", "\u00ab"), Map.entry("raquo", "\u00bb"), Map.entry("iexcl", "\u00a1"),
            Map.entry("iquest", "\u00bf"), Map.entry("shy", "\u00ad"), Map.entry("prime", "\u2032"),
            Map.entry("le", "\u2264"), Map.entry("ge", "\u2265"), Map.entry("ne", "\u2260"),
            Map.entry("rarr", "\u2192"), Map.entry("larr", "\u2190"), Map.entry("hearts", "\u2665"));

    static String decodeHtml(String s) {
        if (s.indexOf('&') < 0) {
            return s;
        }
        Matcher m = ENTITY.matcher(s);
        StringBuilder out = new StringBuilder(s.length());
        while (m.find()) {
            String ref = m.group(1);
            String replacement = null;
            if (ref.charAt(0) == '#') {
                int cp = ref.length() > 1 && (ref.charAt(1) == 'x' || ref.charAt(1) == 'X')
                        ? Integer.parseInt(ref.substring(2), 16) : Integer.parseInt(ref.substring(1));
                if (Character.isValidCodePoint(cp) && cp != 0) {
                    replacement = new String(Character.toChars(cp));
                }
            } else {
                replacement = NAMED.get(ref);
            }
            m.appendReplacement(out, Matcher.quoteReplacement(replacement != null ? replacement : m.group()));
        }
        m.appendTail(out);
        return out.toString();
    }
}
