package io.mergelab.merge.recipe;

import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Writes recipes built in code as mergekit YAML, the {@code mergekit_config.yml} a merge leaves beside its weights
 * ({@code mergekit-yaml} reruns it). Keys in mergekit's order, parameters sorted by name, numbers as doubles
 * (mergekit reads every parameter as a float, booleans too), block style: one recipe always gives the same bytes.
 */
public final class RecipeYaml {
    private RecipeYaml() {
    }

    /** One recipe as a document, or several as a staged recipe ({@code stages:}, each with its name). */
    public static String write(List<MergeRecipe> stages) {
        DumperOptions o = new DumperOptions();
        o.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        Object doc = stages.size() == 1 ? tree(stages.get(0), false)
                : Map.of("stages", stages.stream().map(s -> tree(s, true)).toList());
        return new Yaml(o).dump(doc);
    }

    private static Map<String, Object> tree(MergeRecipe r, boolean named) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (named) {
            m.put("name", r.name());
        }
        m.put("merge_method", r.mergeMethod());
        r.baseModel().ifPresent(b -> m.put("base_model", b));
        if (r.usesSlices()) {
            List<Object> slices = new ArrayList<>();
            for (SliceSpec s : r.slices()) {
                Map<String, Object> slice = new LinkedHashMap<>();
                slice.put("sources", s.sources().stream().map(RecipeYaml::source).toList());
                s.baseModel().ifPresent(b -> slice.put("base_model", b));
                putParameters(slice, s.parameters());
                slices.add(slice);
            }
            m.put("slices", slices);
        } else {
            m.put("models", r.models().stream().map(RecipeYaml::source).toList());
        }
        putParameters(m, r.parameters());
        put(m, "dtype", r.dtype());
        put(m, "out_dtype", r.outDtype());
        put(m, "tokenizer_source", r.tokenizerSource());
        if (r.accumulateFloat32()) {
            m.put("accumulate", "float32"); // mergelab's extension; mergekit ignores the key
        }
        r.selection().ifPresent(s -> {
            Map<String, Object> sel = new LinkedHashMap<>();
            if (!s.include().isEmpty()) {
                sel.put("include", s.include());
            }
            if (!s.layers().isEmpty()) {
                sel.put("layers", s.layers());
            }
            sel.put("rest_from", s.restFrom());
            m.put("select", sel);
        });
        return m;
    }

    private static Map<String, Object> source(SourceSpec s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", s.model());
        s.layerRange().ifPresent(l -> m.put("layer_range", List.of(l.start(), l.end())));
        putParameters(m, s.parameters());
        return m;
    }

    private static void putParameters(Map<String, Object> into, Map<String, ParamValue> params) {
        if (!params.isEmpty()) {
            Map<String, Object> p = new TreeMap<>();
            params.forEach((k, v) -> p.put(k, value(v)));
            into.put("parameters", p);
        }
    }

    /** A parameter as YAML writes it: a double, a list of doubles, or a list of {filter, value}. */
    public static Object plain(ParamValue v) {
        return value(v);
    }

    private static Object value(ParamValue v) {
        if (v instanceof ParamValue.Scalar s) {
            return s.value();
        }
        if (v instanceof ParamValue.Gradient g) {
            return java.util.Arrays.stream(g.values()).boxed().toList();
        }
        return ((ParamValue.Conditionals) v).conditions().stream().map(x -> {
            Map<String, Object> m = new LinkedHashMap<>();
            if (x.filter() != null) {
                m.put("filter", x.filter());
            }
            m.put("value", value(x.value()));
            return m;
        }).toList();
    }

    private static void put(Map<String, Object> m, String key, Optional<String> v) {
        v.ifPresent(x -> m.put(key, x));
    }
}
