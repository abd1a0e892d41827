package io.mergelab.merge.recipe;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads mergekit YAML unchanged into a {@link MergeRecipe}. Works on SnakeYAML's node tree so every
 * error carries line and column. Unlike mergekit, unknown keys are errors (a misspelt key silently
 * doing nothing is the commonest recipe bug); keys mergekit knows but mergelab does not implement are
 * errors too, naming the key.
 *
 * <p>A file with a top-level {@code stages:} list holds several recipes run in order; a stage may use
 * an earlier stage's {@code name} as a model.
 */
public final class RecipeParser {
    private static final Set<String> TOP_KEYS = Set.of("merge_method", "base_model", "models", "slices",
            "parameters", "dtype", "out_dtype", "tokenizer_source", "chat_template", "select", "name", "accumulate");
    private static final Set<String> UNSUPPORTED = Set.of("modules", "tokenizer");
    private static final Set<String> DTYPES = Set.of("bfloat16", "float16", "float32");

    private final Path file;

    private RecipeParser(Path file) {
        this.file = file;
    }

    /** Parses a single-recipe file (or the last stage's view of a staged file: use {@link #parseStages}). */
    public static MergeRecipe parse(Path file) {
        List<MergeRecipe> stages = parseStages(file);
        if (stages.size() != 1) {
            throw new RecipeException(file, "stages", "has " + stages.size() + " stages; use parseStages");
        }
        return stages.get(0);
    }

    public static List<MergeRecipe> parseStages(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new RecipeException(file, null, "cannot read: " + e.getMessage());
        }
        return parseStages(file, text);
    }

    public static List<MergeRecipe> parseStages(Path file, String text) {
        Node root;
        try {
            root = new Yaml(new SafeConstructor(new LoaderOptions())).compose(new StringReader(text));
        } catch (MarkedYAMLException e) {
            Mark m = e.getProblemMark();
            throw new RecipeException(file, null, m == null ? -1 : m.getLine(), m == null ? -1 : m.getColumn(),
                    "invalid YAML: " + e.getProblem());
        }
        RecipeParser p = new RecipeParser(file);
        if (root == null) {
            throw new RecipeException(file, null, "empty recipe");
        }
        MappingNode top = p.mapping(root, "<top level>");
        Map<String, Node> keys = p.entries(top, "<top level>");
        if (keys.containsKey("stages")) {
            if (keys.size() != 1) {
                throw p.error(top, "stages", "a staged recipe holds only 'stages:' at the top level");
            }
            SequenceNode seq = p.sequence(keys.get("stages"), "stages");
            List<MergeRecipe> out = new ArrayList<>();
            for (int i = 0; i < seq.getValue().size(); i++) {
                Node n = seq.getValue().get(i);
                String stageText = text; // the whole file is the provenance of every stage
                out.add(p.recipe(p.mapping(n, "stages[" + i + "]"), "stages[" + i + "].", stageText, "stage" + (i + 1)));
            }
            if (out.isEmpty()) {
                throw p.error(seq, "stages", "no stages");
            }
            return List.copyOf(out);
        }
        return List.of(p.recipe(top, "", text, "merge"));
    }

    private MergeRecipe recipe(MappingNode node, String prefix, String text, String defaultName) {
        Map<String, Node> keys = entries(node, prefix.isEmpty() ? "<top level>" : prefix);
        for (Map.Entry<String, Node> e : keys.entrySet()) {
            if (UNSUPPORTED.contains(e.getKey())) {
                throw error(e.getValue(), prefix + e.getKey(), "is a mergekit feature mergelab does not implement"
                        + (e.getKey().equals("tokenizer") ? " (use tokenizer_source: base or a model)" : ""));
            }
            if (!TOP_KEYS.contains(e.getKey())) {
                throw error(e.getValue(), prefix + e.getKey(), "unknown key (known: " + new java.util.TreeSet<>(TOP_KEYS)
                        + ")");
            }
        }
        String method = requiredString(keys, node, prefix + "merge_method", "merge_method");
        Optional<String> base = optString(keys, prefix, "base_model");
        List<SourceSpec> models = new ArrayList<>();
        List<SliceSpec> slices = new ArrayList<>();
        if (keys.containsKey("models") == keys.containsKey("slices")) {
            throw error(node, prefix + "models", "exactly one of 'models' and 'slices' must be given");
        }
        if (keys.containsKey("models")) {
            SequenceNode seq = sequence(keys.get("models"), prefix + "models");
            for (int i = 0; i < seq.getValue().size(); i++) {
                models.add(source(seq.getValue().get(i), prefix + "models[" + i + "]", false));
            }
            if (models.isEmpty()) {
                throw error(seq, prefix + "models", "is empty");
            }
        } else {
            SequenceNode seq = sequence(keys.get("slices"), prefix + "slices");
            for (int i = 0; i < seq.getValue().size(); i++) {
                slices.add(slice(seq.getValue().get(i), prefix + "slices[" + i + "]"));
            }
            if (slices.isEmpty()) {
                throw error(seq, prefix + "slices", "is empty");
            }
        }
        Map<String, ParamValue> params = keys.containsKey("parameters")
                ? parameters(keys.get("parameters"), prefix + "parameters") : Map.of();
        Optional<String> dtype = dtype(keys, prefix, "dtype");
        Optional<String> outDtype = dtype(keys, prefix, "out_dtype");
        Optional<String> tok = optString(keys, prefix, "tokenizer_source");
        Optional<Selection> sel = keys.containsKey("select") ? Optional.of(selection(keys.get("select"), prefix + "select"))
                : Optional.empty();
        String name = optString(keys, prefix, "name").orElse(defaultName);
        Optional<String> acc = optString(keys, prefix, "accumulate");
        if (acc.isPresent() && !acc.get().equals("float32") && !acc.get().equals("dtype")) {
            throw error(keys.get("accumulate"), prefix + "accumulate", "expected float32 (compute in float32, round once"
                    + " on output) or dtype (the default: compute in dtype as mergekit does), got '" + acc.get() + "'");
        }
        return new MergeRecipe(file, text, name, method, base, models, slices, params, dtype, outDtype, tok, sel,
                acc.filter("float32"::equals).isPresent());
    }

    private SliceSpec slice(Node n, String field) {
        Map<String, Node> keys = entries(mapping(n, field), field);
        for (Map.Entry<String, Node> e : keys.entrySet()) {
            if (!Set.of("sources", "base_model", "parameters", "residual_weight").contains(e.getKey())) {
                throw error(e.getValue(), field + "." + e.getKey(), "unknown key (known: sources, base_model, parameters)");
            }
        }
        if (!keys.containsKey("sources")) {
            throw error(n, field + ".sources", "missing");
        }
        SequenceNode seq = sequence(keys.get("sources"), field + ".sources");
        List<SourceSpec> sources = new ArrayList<>();
        for (int i = 0; i < seq.getValue().size(); i++) {
            sources.add(source(seq.getValue().get(i), field + ".sources[" + i + "]", true));
        }
        if (sources.isEmpty()) {
            throw error(seq, field + ".sources", "is empty");
        }
        int len = sources.get(0).layerRange().orElseThrow().length();
        for (int i = 1; i < sources.size(); i++) {
            if (sources.get(i).layerRange().orElseThrow().length() != len) {
                throw error(seq.getValue().get(i), field + ".sources[" + i + "].layer_range",
                        "all inputs to a slice must contain the same number of layers (sources[0] has " + len + ")");
            }
        }
        Map<String, ParamValue> params = keys.containsKey("parameters")
                ? parameters(keys.get("parameters"), field + ".parameters") : Map.of();
        return new SliceSpec(sources, optString(keys, field + ".", "base_model"), params);
    }

    private SourceSpec source(Node n, String field, boolean needRange) {
        Map<String, Node> keys = entries(mapping(n, field), field);
        for (Map.Entry<String, Node> e : keys.entrySet()) {
            if (!Set.of("model", "parameters", "layer_range").contains(e.getKey())) {
                throw error(e.getValue(), field + "." + e.getKey(), "unknown key (known: model, parameters"
                        + (needRange ? ", layer_range" : "") + "; per-model settings go under 'parameters:')");
            }
        }
        String model = requiredString(keys, n, field + ".model", "model");
        Optional<SourceSpec.LayerRange> range = Optional.empty();
        if (keys.containsKey("layer_range")) {
            SequenceNode r = sequence(keys.get("layer_range"), field + ".layer_range");
            if (r.getValue().size() != 2) {
                throw error(r, field + ".layer_range", "expected [start, end]");
            }
            int a = integer(r.getValue().get(0), field + ".layer_range[0]");
            int b = integer(r.getValue().get(1), field + ".layer_range[1]");
            if (a < 0 || b < a) {
                throw error(r, field + ".layer_range", "expected 0 <= start <= end, got [" + a + ", " + b + "]");
            }
            range = Optional.of(new SourceSpec.LayerRange(a, b));
        } else if (needRange) {
            throw error(n, field + ".layer_range", "missing (slice sources need [start, end))");
        }
        Map<String, ParamValue> params = keys.containsKey("parameters")
                ? parameters(keys.get("parameters"), field + ".parameters") : Map.of();
        return new SourceSpec(model, range, params);
    }

    private Selection selection(Node n, String field) {
        Map<String, Node> keys = entries(mapping(n, field), field);
        for (Map.Entry<String, Node> e : keys.entrySet()) {
            if (!Set.of("include", "layers", "rest_from").contains(e.getKey())) {
                throw error(e.getValue(), field + "." + e.getKey(), "unknown key (known: include, layers, rest_from)");
            }
        }
        List<String> include = new ArrayList<>();
        if (keys.containsKey("include")) {
            for (Node x : sequence(keys.get("include"), field + ".include").getValue()) {
                include.add(string(x, field + ".include"));
            }
        }
        List<Integer> layers = new ArrayList<>();
        if (keys.containsKey("layers")) {
            for (Node x : sequence(keys.get("layers"), field + ".layers").getValue()) {
                layers.add(integer(x, field + ".layers"));
            }
        }
        if (include.isEmpty() && layers.isEmpty()) {
            throw error(n, field, "needs 'include' (tensor-name substrings) and/or 'layers'");
        }
        String rest = requiredString(keys, n, field + ".rest_from", "rest_from");
        return new Selection(include, layers, rest);
    }

    private Map<String, ParamValue> parameters(Node n, String field) {
        Map<String, Node> keys = entries(mapping(n, field), field);
        Map<String, ParamValue> out = new LinkedHashMap<>();
        for (Map.Entry<String, Node> e : keys.entrySet()) {
            out.put(e.getKey(), value(e.getValue(), field + "." + e.getKey(), true));
        }
        return out;
    }

    private ParamValue value(Node n, String field, boolean allowConditionals) {
        if (n instanceof ScalarNode s) {
            return new ParamValue.Scalar(number(s, field));
        }
        if (n instanceof MappingNode) {
            throw error(n, field, "a single {filter, value} must be written as a list: [{filter: ..., value: ...}]");
        }
        SequenceNode seq = sequence(n, field);
        if (seq.getValue().isEmpty()) {
            throw error(n, field, "empty list");
        }
        if (seq.getValue().get(0) instanceof ScalarNode) {
            double[] v = new double[seq.getValue().size()];
            for (int i = 0; i < v.length; i++) {
                Node x = seq.getValue().get(i);
                if (!(x instanceof ScalarNode xs)) {
                    throw error(x, field + "[" + i + "]", "a gradient is a list of numbers");
                }
                v[i] = number(xs, field + "[" + i + "]");
            }
            return new ParamValue.Gradient(v);
        }
        if (!allowConditionals) {
            throw error(n, field, "conditionals cannot be nested");
        }
        List<ParamValue.Conditional> conds = new ArrayList<>();
        for (int i = 0; i < seq.getValue().size(); i++) {
            String f = field + "[" + i + "]";
            Map<String, Node> keys = entries(mapping(seq.getValue().get(i), f), f);
            for (Map.Entry<String, Node> e : keys.entrySet()) {
                if (!Set.of("filter", "value").contains(e.getKey())) {
                    throw error(e.getValue(), f + "." + e.getKey(), "unknown key (known: filter, value)");
                }
            }
            if (!keys.containsKey("value")) {
                throw error(seq.getValue().get(i), f + ".value", "missing");
            }
            String filter = keys.containsKey("filter") ? string(keys.get("filter"), f + ".filter") : null;
            conds.add(new ParamValue.Conditional(filter, value(keys.get("value"), f + ".value", false)));
        }
        return new ParamValue.Conditionals(conds);
    }

    /** pydantic's coercion: numbers, numeric strings and booleans all become doubles. */
    private double number(ScalarNode s, String field) {
        String v = s.getValue().trim();
        String lower = v.toLowerCase(Locale.ROOT);
        if (lower.equals("true")) {
            return 1.0;
        }
        if (lower.equals("false")) {
            return 0.0;
        }
        try {
            double d = Double.parseDouble(v);
            if (Double.isNaN(d)) {
                throw error(s, field, "NaN is not a valid setting");
            }
            return d;
        } catch (NumberFormatException e) {
            throw error(s, field, "expected a number, true/false, a list of numbers or a list of {filter, value}; got '"
                    + v + "'");
        }
    }

    private int integer(Node n, String field) {
        String v = string(n, field);
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw error(n, field, "expected an integer, got '" + v + "'");
        }
    }

    private Optional<String> dtype(Map<String, Node> keys, String prefix, String key) {
        Optional<String> v = optString(keys, prefix, key);
        if (v.isEmpty()) {
            return v;
        }
        String d = v.get().startsWith("torch.") ? v.get().substring(6) : v.get();
        if (!DTYPES.contains(d)) {
            throw error(keys.get(key), prefix + key, "unsupported dtype '" + v.get()
                    + "' (expected bfloat16, float16 or float32, optionally prefixed with 'torch.')");
        }
        return Optional.of(d);
    }

    private String requiredString(Map<String, Node> keys, Node parent, String field, String key) {
        Node n = keys.get(key);
        if (n == null) {
            throw error(parent, field, "missing");
        }
        return string(n, field);
    }

    private Optional<String> optString(Map<String, Node> keys, String prefix, String key) {
        Node n = keys.get(key);
        if (n == null || (n instanceof ScalarNode s && s.getTag().equals(Tag.NULL))) {
            return Optional.empty();
        }
        return Optional.of(string(n, prefix + key));
    }

    private String string(Node n, String field) {
        if (n instanceof ScalarNode s && !s.getTag().equals(Tag.NULL)) {
            return s.getValue();
        }
        if (n instanceof MappingNode m) {
            // mergekit's dict form {model: path}; lora/override are not supported
            Map<String, Node> keys = entries(m, field);
            if (keys.size() == 1 && keys.containsKey("model")) {
                return string(keys.get("model"), field + ".model");
            }
        }
        throw error(n, field, "expected a string");
    }

    private MappingNode mapping(Node n, String field) {
        if (n instanceof MappingNode m) {
            return m;
        }
        throw error(n, field, "expected a mapping (key: value)");
    }

    private SequenceNode sequence(Node n, String field) {
        if (n instanceof SequenceNode s) {
            return s;
        }
        throw error(n, field, "expected a list");
    }

    private Map<String, Node> entries(MappingNode m, String field) {
        Map<String, Node> out = new LinkedHashMap<>();
        for (NodeTuple t : m.getValue()) {
            String k = string(t.getKeyNode(), field);
            if (out.put(k, t.getValueNode()) != null) {
                throw error(t.getKeyNode(), field.startsWith("<") ? k : field + "." + k, "duplicate key");
            }
        }
        return out;
    }

    private RecipeException error(Node n, String field, String message) {
        Mark m = n == null ? null : n.getStartMark();
        return new RecipeException(file, field, m == null ? -1 : m.getLine(), m == null ? -1 : m.getColumn(), message);
    }
}
