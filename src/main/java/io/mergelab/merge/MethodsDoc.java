package io.mergelab.merge;

import java.math.BigDecimal;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * docs/merge-methods.md, generated from the method registry: what the engine has is what the page lists, and a
 * test fails when the committed page differs (it says how to regenerate it).
 */
public final class MethodsDoc {
    private MethodsDoc() {
    }

    public static String markdown(MethodRegistry registry) {
        StringBuilder s = new StringBuilder();
        s.append("# Merge methods\n\n");
        s.append("<!-- Generated from the merge method registry by io.mergelab.merge.MethodsDoc; do not edit: run\n");
        s.append("     bin/native-env mvn -q -o test -Dtest=MethodsDocTest -Dmergelab.regenerate=true -->\n\n");
        s.append("Every method `merge_method:` accepts in a recipe, a study's `merges:` and `search:`, and `mergelab merge`. ")
                .append("Parameters marked per model are read from each model's `parameters:` first, then the ")
                .append("recipe's; a parameter without a default is required. A plug-in jar adds methods by ")
                .append("ServiceLoader ([adding-a-merge-method.md](adding-a-merge-method.md)).\n\n");
        s.append("| method | name in tables | base model | parameters | what it does |\n|---|---|---|---|---|\n");
        for (String name : new TreeSet<>(registry.names())) {
            MergeMethod m = registry.get(name);
            String params = m.parameters().stream().map(MethodsDoc::param).collect(Collectors.joining("<br>"));
            s.append("| `").append(name).append("` | ").append(m.displayName()).append(" | ").append(base(m.basePolicy()))
                    .append(" | ").append(params.isEmpty() ? "–" : params).append(" | ").append(m.description())
                    .append(" |\n");
        }
        return s.toString();
    }

    private static String param(ParamSpec p) {
        String value = p.required() ? "required" : Double.isNaN(p.defaultValue()) ? "optional" : p.bool() ? "default " + (p.defaultValue() != 0 ? "true" : "false")
                : "default " + number(p.defaultValue());
        return "`" + p.name() + "` (" + (p.perModel() ? "per model" : "global") + (p.bool() ? ", bool" : p.integer() ? ", integer" : "") + ", "
                + value + ")";
    }

    /** 1, 0.15, 0.00001, 1e-8: plain unless tiny. */
    private static String number(double d) {
        BigDecimal b = BigDecimal.valueOf(d).stripTrailingZeros();
        return Math.abs(d) >= 1e-4 || d == 0 ? b.toPlainString() : b.toString().replace('E', 'e');
    }

    private static String base(BasePolicy b) {
        return switch (b) {
            case REQUIRED -> "required";
            case OPTIONAL -> "optional (the origin of task vectors)";
            case INPUT -> "optional (one more input)";
            case SINGLE_INPUT -> "none (one input)";
        };
    }
}
