package io.mergelab.search;

import io.mergelab.yaml.ConfigException;
import io.mergelab.yaml.Mark;
import io.mergelab.merge.MergeMethod;
import io.mergelab.merge.MethodRegistry;
import io.mergelab.merge.ParamSpec;
import io.mergelab.model.checkpoint.CheckpointDir;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The free parameters expanded to dimensions (one per model for per-model parameters, one per layer group
 * when {@code layer_granularity} is set, as mergekit-evolve does), and the mergekit recipe of a point.
 * Strategies work in the unit cube; {@link #values} maps a unit point to parameter values.
 */
public final class SearchSpace {

    /**
     * @param name  MLflow-safe key, e.g. {@code weight.yelp} or {@code lambda.layers_0_1}
     * @param model the model it belongs to (per-model parameters), or null
     * @param group layer group index, or -1 when parameters span all layers
     */
    public record Dimension(String name, String param, String model, int group, double min, double max) {
        double value(double unit) {
            return min + Math.max(0, Math.min(1, unit)) * (max - min);
        }
    }

    private final SearchConfig.MergeSpace merge;
    private final List<Dimension> dims;
    private final int layers;
    private final int groups;

    public SearchSpace(SearchConfig config, MethodRegistry registry, Mark where) {
        this(config, registry, CheckpointDir.open(config.merge().models().values().iterator().next()).config()
                .nLayer(), config.merge().models().values().iterator().next().toString(), where);
    }

    /**
     * Checks a search before its models exist (a study's plan): method, free parameters, layer groups for
     * {@code nLayer} layers and the baselines' keys; throws {@link ConfigException} at {@code where}.
     */
    public static void check(SearchConfig config, MethodRegistry registry, int nLayer, String modelName, Mark where) {
        if (!registry.names().contains(config.merge().method())) {
            throw new ConfigException(where, "search.merge.method: '" + config.merge().method() + "' is not "
                    + "available in this build (available: " + String.join(", ",
                    new java.util.TreeSet<>(registry.names())) + ")");
        }
        SearchSpace space = new SearchSpace(config, registry, nLayer, modelName, where);
        for (SearchConfig.Baseline b : config.baselines()) {
            try {
                space.unit(b.values(), "search.baselines." + b.name());
            } catch (IllegalArgumentException e) {
                throw new ConfigException(where, e.getMessage());
            }
        }
    }

    private SearchSpace(SearchConfig config, MethodRegistry registry, int nLayer, String modelName, Mark where) {
        this.merge = config.merge();
        MergeMethod method = registry.get(merge.method());
        Map<String, ParamSpec> specs = new LinkedHashMap<>();
        method.parameters().forEach(p -> specs.put(p.name(), p));
        this.layers = nLayer;
        int gran = merge.layerGranularity();
        if (gran > 0 && layers % gran != 0) {
            throw new ConfigException(where, "search.merge.layer_granularity: " + gran + " does not divide n_layer "
                    + layers + " of " + modelName);
        }
        this.groups = gran > 0 ? layers / gran : 0;
        List<Dimension> d = new ArrayList<>();
        for (SearchConfig.FreeParameter f : config.free()) {
            ParamSpec spec = specs.get(f.param());
            if (spec == null) {
                throw new ConfigException(where, "search.free: unknown parameter '" + f.param() + "' for merge_method "
                        + method.name() + " (accepted: " + String.join(", ", specs.keySet()) + ")");
            }
            if (spec.bool()) {
                throw new ConfigException(where, "search.free: '" + f.param() + "' is a flag; fix it under "
                        + "search.merge.parameters instead of searching it");
            }
            if (spec.integer()) { // a continuous search would give fractions, which the planner refuses
                throw new ConfigException(where, "search.free: '" + f.param() + "' is a whole number; fix it under "
                        + "search.merge.parameters instead of searching it");
            }
            List<String> models = spec.perModel()
                    ? (f.models().isEmpty() ? new ArrayList<>(merge.models().keySet()) : f.models()) : List.of();
            if (!spec.perModel() && !f.models().isEmpty()) {
                throw new ConfigException(where, "search.free: '" + f.param() + "' is a global parameter of "
                        + method.name() + "; it takes no models:");
            }
            for (int g = groups == 0 ? -1 : 0; g < Math.max(groups, 0); g++) {
                String suffix = g < 0 ? "" : ".layers_" + (g * gran) + "_" + ((g + 1) * gran - 1);
                if (spec.perModel()) {
                    for (String m : models) {
                        d.add(new Dimension(f.param() + "." + m + suffix, f.param(), m, g, f.min(), f.max()));
                    }
                } else {
                    d.add(new Dimension(f.param() + suffix, f.param(), null, g, f.min(), f.max()));
                }
            }
        }
        this.dims = List.copyOf(d);
        for (ParamSpec spec : specs.values()) { // every candidate would fail at merge time otherwise
            if (!spec.required() || merge.fixed().containsKey(spec.name())) {
                continue;
            }
            List<String> lacking = spec.perModel()
                    ? merge.models().keySet().stream().filter(m -> dims.stream().noneMatch(
                            x -> x.param().equals(spec.name()) && m.equals(x.model()))).toList()
                    : dims.stream().anyMatch(x -> x.param().equals(spec.name())) ? List.of() : List.of("the merge");
            if (!lacking.isEmpty()) {
                throw new ConfigException(where, "search: merge_method " + method.name() + " needs '" + spec.name()
                        + "', which nothing gives " + String.join(", ", lacking) + ": search it ({param: "
                        + spec.name() + ", min: ..., max: ...} under search.free) or fix it (" + spec.name()
                        + ": VALUE under search.merge.parameters)");
            }
        }
    }

    public List<Dimension> dimensions() {
        return dims;
    }

    public int size() {
        return dims.size();
    }

    /** Parameter values of a unit-cube point, by dimension name (in dimension order). */
    public Map<String, Double> values(double[] unit) {
        Map<String, Double> v = new LinkedHashMap<>();
        for (int i = 0; i < dims.size(); i++) {
            v.put(dims.get(i).name(), dims.get(i).value(unit[i]));
        }
        return v;
    }

    /** The unit point of explicit values (baselines); a missing or unknown dimension is an error. */
    public double[] unit(Map<String, Double> values, String where) {
        for (String k : values.keySet()) {
            if (dims.stream().noneMatch(d -> d.name().equals(k))) {
                throw new IllegalArgumentException(where + ": unknown dimension '" + k + "'; expected "
                        + dims.stream().map(Dimension::name).toList());
            }
        }
        double[] u = new double[dims.size()];
        for (int i = 0; i < dims.size(); i++) {
            Dimension d = dims.get(i);
            Double v = values.get(d.name());
            if (v == null) {
                throw new IllegalArgumentException(where + ": missing dimension '" + d.name() + "'");
            }
            u[i] = (v - d.min()) / (d.max() - d.min());
        }
        return u;
    }

    /** A ready-to-use mergekit recipe for these parameter values (absolute model paths). */
    public String recipeYaml(Map<String, Double> values) {
        StringBuilder y = new StringBuilder();
        y.append("merge_method: ").append(merge.method()).append('\n');
        merge.baseModel().ifPresent(b -> y.append("base_model: ").append(quote(b.toString())).append('\n'));
        if (groups == 0) {
            y.append("models:\n");
            for (Map.Entry<String, Path> m : merge.models().entrySet()) {
                y.append("  - model: ").append(quote(m.getValue().toString())).append('\n');
                appendParams(y, "    ", modelParams(values, m.getKey(), -1));
            }
        } else {
            int gran = merge.layerGranularity();
            y.append("slices:\n");
            for (int g = 0; g < groups; g++) {
                y.append("  - sources:\n");
                List<Path> sources = new ArrayList<>(merge.models().values());
                for (Map.Entry<String, Path> m : merge.models().entrySet()) {
                    y.append("      - model: ").append(quote(m.getValue().toString())).append('\n');
                    y.append("        layer_range: [").append(g * gran).append(", ").append((g + 1) * gran)
                            .append("]\n");
                    appendParams(y, "        ", modelParams(values, m.getKey(), g));
                }
                if (merge.baseModel().isPresent() && !sources.contains(merge.baseModel().get())) {
                    y.append("      - model: ").append(quote(merge.baseModel().get().toString())).append('\n');
                    y.append("        layer_range: [").append(g * gran).append(", ").append((g + 1) * gran)
                            .append("]\n");
                }
                appendParams(y, "    ", globalParams(values, g));
            }
        }
        Map<String, Double> top = new TreeMap<>(merge.fixed());
        if (groups == 0) {
            top.putAll(globalParams(values, -1));
        }
        appendParams(y, "", top);
        return y.toString();
    }

    private Map<String, Double> modelParams(Map<String, Double> values, String model, int group) {
        Map<String, Double> p = new TreeMap<>();
        for (Dimension d : dims) {
            if (model.equals(d.model()) && d.group() == group) {
                p.put(d.param(), values.get(d.name()));
            }
        }
        return p;
    }

    private Map<String, Double> globalParams(Map<String, Double> values, int group) {
        Map<String, Double> p = new TreeMap<>();
        for (Dimension d : dims) {
            if (d.model() == null && d.group() == group) {
                p.put(d.param(), values.get(d.name()));
            }
        }
        return p;
    }

    private static void appendParams(StringBuilder y, String indent, Map<String, Double> params) {
        if (params.isEmpty()) {
            return;
        }
        y.append(indent).append("parameters:\n");
        params.forEach((k, v) -> y.append(indent).append("  ").append(k).append(": ").append(number(v)).append('\n'));
    }

    /** Plain decimal that YAML reads back as the same double (YAML 1.1 would take 1.0E10 for a string). */
    static String number(double v) {
        String s = BigDecimal.valueOf(v).toPlainString();
        return s.contains(".") ? s : s + ".0";
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "''") + "'";
    }
}
