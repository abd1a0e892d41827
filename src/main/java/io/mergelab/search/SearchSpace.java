package io.mergelab.search;

import io.mergelab.merge.MergeMethod;
import io.mergelab.merge.MethodRegistry;
import io.mergelab.merge.ParamSpec;
import io.mergelab.merge.recipe.MergeRecipe;
import io.mergelab.merge.recipe.ParamValue;
import io.mergelab.merge.recipe.SliceSpec;
import io.mergelab.merge.recipe.SourceSpec;
import io.mergelab.model.checkpoint.CheckpointDir;
import io.mergelab.yaml.ConfigException;
import io.mergelab.yaml.Mark;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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

    /** The merge recipe for these parameter values (absolute model paths), built as the engine takes it. */
    public MergeRecipe recipe(Map<String, Double> values) {
        Optional<String> base = merge.baseModel().map(Path::toString);
        if (groups == 0) {
            List<SourceSpec> models = new ArrayList<>();
            for (Map.Entry<String, Path> m : merge.models().entrySet()) {
                models.add(new SourceSpec(m.getValue().toString(), Optional.empty(),
                        scalars(modelParams(values, m.getKey(), -1))));
            }
            Map<String, Double> top = new TreeMap<>(merge.fixed());
            top.putAll(globalParams(values, -1));
            return MergeRecipe.of(merge.method(), base, models, scalars(top), Optional.empty());
        }
        int gran = merge.layerGranularity();
        List<SliceSpec> slices = new ArrayList<>();
        for (int g = 0; g < groups; g++) {
            SourceSpec.LayerRange range = new SourceSpec.LayerRange(g * gran, (g + 1) * gran);
            List<SourceSpec> sources = new ArrayList<>();
            for (Map.Entry<String, Path> m : merge.models().entrySet()) {
                sources.add(new SourceSpec(m.getValue().toString(), Optional.of(range),
                        scalars(modelParams(values, m.getKey(), g))));
            }
            if (merge.baseModel().isPresent() && !merge.models().containsValue(merge.baseModel().get())) {
                sources.add(new SourceSpec(base.get(), Optional.of(range), Map.of()));
            }
            slices.add(new SliceSpec(sources, Optional.empty(), scalars(globalParams(values, g))));
        }
        return new MergeRecipe(null, null, "merge", merge.method(), base, List.of(), slices, scalars(merge.fixed()),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), false);
    }

    /** The recipe as mergekit_config.yml holds it (the best candidates' files, best_config.yaml). */
    public String recipeYaml(Map<String, Double> values) {
        return recipe(values).mergekitYaml();
    }

    private static Map<String, ParamValue> scalars(Map<String, Double> params) {
        Map<String, ParamValue> out = new TreeMap<>();
        params.forEach((k, v) -> out.put(k, new ParamValue.Scalar(v)));
        return out;
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
}
