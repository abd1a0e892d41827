package io.mergelab.merge;

import java.util.List;
import java.util.Locale;
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
        List<String> float32 = new TreeSet<>(registry.names()).stream().filter(n -> !registry.get(n).computesInDtype())
                .toList();
        s.append("\nWith `dtype: bfloat16` or `float16` (or inputs of that type) every method computes as mergekit does, ")
                .append("rounding where its torch ops round").append(float32.isEmpty() ? "" : ", except "
                + float32.stream().map(n -> "`" + n + "`").collect(Collectors.joining(", "))
                + ", which accumulate in float32 and round once").append(". `accumulate: float32` in a recipe makes ")
                .append("any method accumulate in float32 and round once; the merged model's README says which ")
                .append("computation a merge used ([adding-a-merge-method.md](adding-a-merge-method.md#bfloat16-and-")
                .append("float16-computing-as-mergekit-does)).\n");
        return s.toString();
    }

    private static String param(ParamSpec p) {
        String value = p.required() ? "required" : Double.isNaN(p.defaultValue()) ? "optional" : p.bool() ? "default " + (p.defaultValue() != 0 ? "true" : "false")
                : "default " + String.format(Locale.ROOT, "%s", p.defaultValue()).replaceAll("\\.0$", "");
        return "`" + p.name() + "` (" + (p.perModel() ? "per model" : "global") + (p.bool() ? ", bool" : "") + ", "
                + value + ")";
    }

    private static String base(BasePolicy b) {
        return switch (b) {
            case REQUIRED -> "required";
            case INPUT -> "optional (one more input)";
            case SINGLE_INPUT -> "none (one input)";
        };
    }
}
