package io.mergelab.config;

import io.mergelab.yaml.ConfigException;

import io.mergelab.yaml.Fields;

import io.mergelab.yaml.Mark;

import io.mergelab.yaml.Node;

import io.mergelab.config.StudyConfig.MergeModel;
import io.mergelab.config.StudyConfig.MergeSpec;
import io.mergelab.data.Suggest;
import io.mergelab.merge.MethodRegistry;
import io.mergelab.merge.recipe.RecipeException;
import io.mergelab.merge.recipe.RecipeParser;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A {@code merges[]} entry written as a mergekit recipe block, verbatim:
 * <pre>
 * - name: ties_sliced
 *   recipe:                 # anything `mergelab merge` accepts: slices, gradients, filters, out_dtype ...
 *     merge_method: ties
 *     base_model: base      # model references are variant names, or `base` for the pre-trained model
 *     models:
 *       - model: yelp_0
 *         parameters: {weight: [0.2, 0.8], density: 0.5}
 * </pre>
 * The block is checked by the merge engine's own recipe parser at config time; the pipeline replaces the
 * references with checkpoint paths when it runs the merge. {@code base} may appear among the sources too,
 * as mergekit's sliced recipes list their base there.
 */
final class EmbeddedRecipe {
    private EmbeddedRecipe() {
    }

    static MergeSpec parse(Fields f, Set<String> variants) {
        f.allowOnly(List.of("name", "recipe"));
        Node r = f.get("recipe");
        if (!(r instanceof Node.MapNode)) {
            throw new ConfigException(r.mark(), "merges[].recipe: expected a mergekit recipe (a mapping with "
                    + "merge_method, models or slices, ...), got " + Fields.describe(r));
        }
        Fields rf = new Fields(r, "merges[].recipe");
        if (rf.has("stages")) {
            throw new ConfigException(rf.markOf("stages"), "merges[].recipe.stages: a study declares each stage as "
                    + "its own merges[] entry; staged recipe files run with `mergelab merge`");
        }
        String method = Fields.asChoice(rf.require("merge_method"), "merges[].recipe.merge_method",
                StudyConfigParser.METHODS.keySet());
        String name = f.string("name", method);
        String where = "merges[" + name + "].recipe";

        List<MergeModel> models = new ArrayList<>();
        for (Node m : rf.list("models")) {
            MergeModel mm = model(m, where + ".models[]", variants);
            if (mm != null) {
                models.add(mm);
            }
        }
        for (Node slice : rf.list("slices")) {
            Fields sf = new Fields(slice, where + ".slices[]");
            for (Node src : sf.list("sources")) {
                MergeModel mm = model(src, where + ".slices[].sources[]", variants);
                if (mm != null && models.stream().noneMatch(x -> x.variant().equals(mm.variant()))) {
                    models.add(new MergeModel(mm.variant(), Map.of()));
                }
            }
        }
        if (models.isEmpty()) {
            throw new ConfigException(r.mark(), where + ": names no variant (give models: or slices: naming variants)");
        }
        String base = null;
        if (rf.has("base_model")) {
            base = Fields.asString(rf.get("base_model"), where + ".base_model");
            if (!base.equals(StudyConfigParser.BASE) && !variants.contains(base)) {
                throw unknown(rf.markOf("base_model"), where + ".base_model", base, variants);
            }
        }
        if (base == null && StudyConfigParser.METHODS.get(method)) {
            throw new ConfigException(r.mark(), where + ": method '" + method + "' needs base_model ('base' for the "
                    + "pre-trained model, or a variant name)");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> block = (Map<String, Object>) r.plain();
        check(block, r.mark(), where);
        checkParameters(rf, method, where);
        return new MergeSpec(name, method, models, base, scalars(block.get("parameters")), null, Map.of(),
                f.mark(), block);
    }

    /** Runs the merge engine's recipe parser on the block, so a bad recipe fails before anything is trained. */
    private static void check(Map<String, Object> block, Mark mark, String where) {
        DumperOptions o = new DumperOptions();
        o.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        try {
            RecipeParser.parseStages(Path.of(mark.source()), new Yaml(o).dump(block));
        } catch (RecipeException e) {
            throw new ConfigException(mark, where + (e.field() == null ? "" : "." + e.field()) + ": " + e.problem());
        }
    }

    /**
     * Parameter names the method does not read, and plain numbers outside the range the method declares, fail here
     * rather than mid-study.
     */
    private static void checkParameters(Fields rf, String method, String where) {
        Set<String> known = new java.util.TreeSet<>();
        MethodRegistry.load().get(method).parameters().forEach(p -> known.add(p.name()));
        checkParameters(rf.get("parameters"), where + ".parameters", method, known);
        int i = 0;
        for (Node m : rf.list("models")) {
            checkParameters(new Fields(m, where + ".models[]").get("parameters"), where + ".models[" + i++ + "].parameters",
                    method, known);
        }
        i = 0;
        for (Node slice : rf.list("slices")) {
            Fields sf = new Fields(slice, where + ".slices[]");
            checkParameters(sf.get("parameters"), where + ".slices[" + i + "].parameters", method, known);
            int j = 0;
            for (Node src : sf.list("sources")) {
                checkParameters(new Fields(src, where + ".slices[].sources[]").get("parameters"),
                        where + ".slices[" + i + "].sources[" + j++ + "].parameters", method, known);
            }
            i++;
        }
    }

    private static void checkParameters(Node params, String where, String method, Set<String> known) {
        if (!(params instanceof Node.MapNode m)) {
            return;
        }
        for (Node.Entry e : m.entries().values()) {
            if (!known.contains(e.key())) {
                String hint = Suggest.closest(e.key(), known);
                throw new ConfigException(e.value().mark(), where + "." + e.key() + ": merge_method " + method
                        + " has no parameter '" + e.key() + "'" + (hint != null ? " (did you mean '" + hint + "'?)" : "")
                        + "; it reads " + String.join(", ", known));
            }
            List<io.mergelab.merge.ParamSpec.Range> ranges = StudyConfigParser.rangesOf(e.key(), method);
            if (!ranges.isEmpty() && e.value() instanceof Node.Scalar s && s.type() != Node.ScalarType.BOOL) {
                StudyConfigParser.inRanges(e.value(), where + "." + e.key(), ranges);
            }
        }
    }

    private static MergeModel model(Node n, String where, Set<String> variants) {
        Fields mf = new Fields(n, where);
        Node ref = mf.require("model");
        String v = Fields.asString(ref, where + ".model");
        if (v.equals(StudyConfigParser.BASE)) {
            return null; // the pre-trained model, listed as mergekit lists a base among the sources
        }
        if (!variants.contains(v)) {
            throw unknown(ref.mark(), where + ".model", v, variants);
        }
        Map<String, Object> params = mf.has("parameters") ? scalars(mf.get("parameters").plain()) : Map.of();
        return new MergeModel(v, params);
    }

    /** The plain numeric parameters, for report columns; gradients and filtered lists stay in the recipe. */
    private static Map<String, Object> scalars(Object params) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (params instanceof Map<?, ?> m) {
            m.forEach((k, v) -> {
                if (v instanceof Number || v instanceof Boolean) {
                    out.put(String.valueOf(k), v);
                }
            });
        }
        return out;
    }

    private static ConfigException unknown(Mark mark, String field, String ref, Set<String> variants) {
        String hint = Suggest.closest(ref, variants);
        return new ConfigException(mark, field + ": no variant named '" + ref + "'"
                + (hint != null ? " (did you mean '" + hint + "'?)" : "") + "; variants are "
                + String.join(", ", variants));
    }
}
