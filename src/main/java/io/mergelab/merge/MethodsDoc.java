package io.mergelab.merge;

import java.math.BigDecimal;
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
        s.append("A study checks each number against the range shown (a typo guard); a recipe runs as mergekit runs ")
                .append("it. A method with a fixed number of models says so.\n\n");
        s.append("| method | name in tables | base model | parameters | what it does |\n|---|---|---|---|---|\n");
        for (String name : new TreeSet<>(registry.names())) {
            MergeMethod m = registry.get(name);
            String params = m.parameters().stream().map(MethodsDoc::param).collect(Collectors.joining("<br>"));
            String others = m.otherModels().equals(ModelCount.ANY) ? "" : ", plus " + m.otherModels().describe();
            String description = m.description().replace("|", "\\|"); // a bare bar would end the cell
            s.append("| `").append(name).append("` | ").append(m.displayName()).append(" | ").append(base(m.basePolicy()))
                    .append(others).append(" | ").append(params.isEmpty() ? "–" : params).append(" | ").append(description)
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

    /**
     * A method's parameters on one line, as {@code merge --help} lists them: {@code weight*} required,
     * {@code density=1} with its default, {@code scale?} optional.
     */
    public static String signature(MergeMethod m) {
        return m.parameters().stream().map(p -> p.name() + (p.required() ? "*" : Double.isNaN(p.defaultValue()) ? "?"
                : "=" + (p.bool() ? String.valueOf(p.defaultValue() != 0)
                : number(p.defaultValue()))))
                .collect(Collectors.joining(" "));
    }

    private static String param(ParamSpec p) {
        String value = p.required() ? "required" : Double.isNaN(p.defaultValue()) ? "optional" : p.bool() ? "default " + (p.defaultValue() != 0 ? "true" : "false")
                : "default " + number(p.defaultValue());
        return "`" + p.name() + "` (" + (p.perModel() ? "per model" : "global") + (p.bool() ? ", bool"
                : p.integer() ? ", integer" : "") + ", " + value + (p.range().bounded() && !p.bool() ? ", in "
                + p.range() : "") + ")";
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
