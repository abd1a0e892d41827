package io.mergelab.search;

import io.mergelab.yaml.ConfigException;
import io.mergelab.yaml.Node;
import io.mergelab.yaml.YamlLoader;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads a {@code search:} section. Every error is one line {@code file:line:col: field: what was expected}.
 * Relative paths (models, dataset specs) are resolved against {@code baseDir}, the config file's directory.
 */
public final class SearchConfigParser {
    private static final Set<String> TOP = Set.of("name", "merge", "free", "objective", "budget", "strategy", "seed",
            "grid", "cmaes", "keep_best", "eval", "baselines");

    private final Path baseDir;

    private SearchConfigParser(Path baseDir) {
        this.baseDir = baseDir;
    }

    /** A standalone search file: either {@code search:} at the top or the section's keys themselves. */
    public static SearchConfig parseFile(Path file) {
        Node root = YamlLoader.load(file);
        Path dir = file.toAbsolutePath().getParent();
        if (root instanceof Node.MapNode m && m.has("search")) {
            return parse(m.get("search"), dir);
        }
        return parse(root, dir);
    }

    /** The section as embedded in an experiment config. */
    public static SearchConfig parse(Node section, Path baseDir) {
        return new SearchConfigParser(baseDir.toAbsolutePath()).read(section);
    }

    /** From plain maps (e.g. a config already turned into Java values); positions name {@code source}. */
    public static SearchConfig parse(Map<String, ?> section, String source, Path baseDir) {
        DumperOptions o = new DumperOptions();
        o.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        return parse(YamlLoader.parse(new Yaml(o).dump(section), source), baseDir);
    }

    private SearchConfig read(Node node) {
        Map<String, Node> s = map(node, "search", TOP);
        String name = str(s, "name", "search", "search");
        SearchConfig.MergeSpace merge = merge(req(s, "merge", node, "search"));
        List<SearchConfig.FreeParameter> free = new ArrayList<>();
        Node freeNode = req(s, "free", node, "search");
        List<Node> items = list(freeNode, "search.free");
        if (items.isEmpty()) {
            throw new ConfigException(freeNode.mark(), "search.free: expected at least one free parameter");
        }
        for (int i = 0; i < items.size(); i++) {
            free.add(freeParam(items.get(i), "search.free[" + i + "]", merge));
        }
        SearchConfig.Objective objective = objective(req(s, "objective", node, "search"));
        SearchConfig.Budget budget = budget(req(s, "budget", node, "search"));
        String strat = str(s, "strategy", "search", "random").toLowerCase(Locale.ROOT);
        SearchConfig.Strategy strategy = switch (strat) {
            case "grid" -> SearchConfig.Strategy.GRID;
            case "random", "best_of_n", "lunk" -> SearchConfig.Strategy.RANDOM;
            case "cmaes", "cma-es", "cma_es" -> SearchConfig.Strategy.CMAES;
            default -> throw new ConfigException(s.get("strategy").mark(), "search.strategy: expected grid, random or "
                    + "cmaes, got '" + strat + "'");
        };
        long seed = integer(s, "seed", "search", 0);
        int gridPoints = 0;
        if (s.containsKey("grid")) {
            Map<String, Node> g = map(s.get("grid"), "search.grid", Set.of("points"));
            gridPoints = (int) integer(g, "points", "search.grid", 0);
            if (gridPoints == 1 || gridPoints < 0) {
                throw new ConfigException(g.get("points").mark(), "search.grid.points: expected at least 2 (or 0: "
                        + "derived from the budget), got " + gridPoints);
            }
        }
        SearchConfig.Cmaes cmaes = new SearchConfig.Cmaes(0, 0.3);
        if (s.containsKey("cmaes")) {
            Map<String, Node> c = map(s.get("cmaes"), "search.cmaes", Set.of("population", "sigma"));
            int pop = (int) integer(c, "population", "search.cmaes", 0);
            double sigma = number(c, "sigma", "search.cmaes", 0.3);
            if (pop == 1 || pop < 0) {
                throw new ConfigException(c.get("population").mark(), "search.cmaes.population: expected at least 2 "
                        + "(or 0: CMA-ES default), got " + pop);
            }
            if (!(sigma > 0 && sigma <= 1)) {
                throw new ConfigException(c.get("sigma").mark(), "search.cmaes.sigma: expected a number in (0, 1] "
                        + "(fraction of each parameter's range), got " + sigma);
            }
            cmaes = new SearchConfig.Cmaes(pop, sigma);
        }
        int keep = (int) integer(s, "keep_best", "search", 1);
        if (keep < 0) {
            throw new ConfigException(s.get("keep_best").mark(), "search.keep_best: expected 0 or more, got " + keep);
        }
        SearchConfig.EvalSettings eval = new SearchConfig.EvalSettings(32, 128);
        if (s.containsKey("eval")) {
            Map<String, Node> e = map(s.get("eval"), "search.eval", Set.of("batch_size", "max_length"));
            eval = new SearchConfig.EvalSettings(positive(e, "batch_size", "search.eval", 32),
                    positive(e, "max_length", "search.eval", 128));
        }
        List<SearchConfig.Baseline> baselines = new ArrayList<>();
        if (s.containsKey("baselines")) {
            Map<String, Node> b = map(s.get("baselines"), "search.baselines", null);
            for (Map.Entry<String, Node> e : b.entrySet()) {
                Map<String, Node> vals = map(e.getValue(), "search.baselines." + e.getKey(), null);
                Map<String, Double> v = new LinkedHashMap<>();
                for (String k : vals.keySet()) {
                    v.put(k, number(vals, k, "search.baselines." + e.getKey(), Double.NaN));
                }
                baselines.add(new SearchConfig.Baseline(e.getKey(), v));
            }
        }
        return new SearchConfig(name, merge, free, objective, budget, strategy, seed, gridPoints, cmaes, keep, eval,
                baselines);
    }

    private SearchConfig.MergeSpace merge(Node node) {
        Map<String, Node> m = map(node, "search.merge", Set.of("method", "models", "base_model", "parameters",
                "layer_granularity", "seed"));
        String method = str(m, "method", "search.merge", null);
        if (method == null) {
            throw new ConfigException(node.mark(), "search.merge.method: required (e.g. linear, task_arithmetic, "
                    + "ties, dare_ties, random_select)");
        }
        Node modelsNode = req(m, "models", node, "search.merge");
        Map<String, Path> models = new LinkedHashMap<>();
        if (modelsNode instanceof Node.ListNode l) {
            for (int i = 0; i < l.items().size(); i++) {
                Path p = modelPath(l.items().get(i), "search.merge.models[" + i + "]");
                String n = uniqueName(p.getFileName().toString(), models);
                models.put(n, p);
            }
        } else {
            Map<String, Node> mm = map(modelsNode, "search.merge.models", null);
            for (Map.Entry<String, Node> e : mm.entrySet()) {
                models.put(e.getKey(), modelPath(e.getValue(), "search.merge.models." + e.getKey()));
            }
        }
        if (models.size() < 2 && !m.containsKey("base_model")) {
            throw new ConfigException(modelsNode.mark(), "search.merge.models: expected at least 2 models (or 1 and "
                    + "a base_model)");
        }
        Optional<Path> base = m.containsKey("base_model")
                ? Optional.of(modelPath(m.get("base_model"), "search.merge.base_model")) : Optional.empty();
        Map<String, Double> fixed = new LinkedHashMap<>();
        if (m.containsKey("parameters")) {
            Map<String, Node> p = map(m.get("parameters"), "search.merge.parameters", null);
            for (String k : p.keySet()) {
                Node v = p.get(k);
                if (v instanceof Node.Scalar sc && sc.type() == Node.ScalarType.BOOL) {
                    fixed.put(k, Boolean.TRUE.equals(sc.plain()) ? 1.0 : 0.0);
                } else {
                    fixed.put(k, number(p, k, "search.merge.parameters", Double.NaN));
                }
            }
        }
        int gran = (int) integer(m, "layer_granularity", "search.merge", 0);
        if (gran < 0) {
            throw new ConfigException(m.get("layer_granularity").mark(), "search.merge.layer_granularity: expected "
                    + "0 (no layer groups) or a divisor of n_layer, got " + gran);
        }
        long mergeSeed = integer(m, "seed", "search.merge", 0);
        return new SearchConfig.MergeSpace(method, models, base, fixed, gran, mergeSeed);
    }

    private static String uniqueName(String name, Map<String, Path> used) {
        String n = name.replaceAll("[^A-Za-z0-9_-]", "_");
        String out = n;
        for (int i = 2; used.containsKey(out); i++) {
            out = n + "_" + i;
        }
        return out;
    }

    private SearchConfig.FreeParameter freeParam(Node node, String where, SearchConfig.MergeSpace merge) {
        Map<String, Node> f = map(node, where, Set.of("param", "models", "min", "max"));
        String param = str(f, "param", where, null);
        if (param == null) {
            throw new ConfigException(node.mark(), where + ".param: required (e.g. weight, density, lambda, t)");
        }
        List<String> models = new ArrayList<>();
        if (f.containsKey("models")) {
            Node mn = f.get("models");
            if (!(mn instanceof Node.Scalar sc && "all".equals(sc.text()))) {
                for (Node item : list(mn, where + ".models")) {
                    String name = scalarText(item, where + ".models");
                    if (!merge.models().containsKey(name)) {
                        throw new ConfigException(item.mark(), where + ".models: unknown model '" + name
                                + "'; expected one of " + String.join(", ", merge.models().keySet()));
                    }
                    models.add(name);
                }
            }
        }
        double min = number(f, "min", where, Double.NaN);
        double max = number(f, "max", where, Double.NaN);
        if (Double.isNaN(min) || Double.isNaN(max)) {
            throw new ConfigException(node.mark(), where + ": 'min' and 'max' are required");
        }
        if (!(max > min)) {
            throw new ConfigException(f.get("max").mark(), where + ".max: expected more than min (" + min + "), got "
                    + max);
        }
        return new SearchConfig.FreeParameter(param, models, min, max);
    }

    private SearchConfig.Objective objective(Node node) {
        Map<String, Node> o = map(node, "search.objective", Set.of("metric", "split", "datasets", "split_seed",
                "max_examples"));
        String metric = str(o, "metric", "search.objective", "accuracy");
        Set<String> metrics = Set.of("accuracy", "f1", "f1_macro", "macro_f1", "f1_weighted", "weighted_f1", "loss",
                "ece");
        if (!metrics.contains(metric.toLowerCase(Locale.ROOT).replace("eval_", ""))) {
            throw new ConfigException(o.get("metric").mark(), "search.objective.metric: expected one of "
                    + String.join(", ", new java.util.TreeSet<>(metrics)) + ", got '" + metric + "'");
        }
        String split = str(o, "split", "search.objective", "validation");
        if (!Set.of("validation", "val", "dev", "eval").contains(split.toLowerCase(Locale.ROOT))) {
            throw new ConfigException(o.get("split").mark(), "search.objective.split: candidates are chosen on "
                    + "validation data, never on '" + split + "' (the best one is evaluated on test once at the end)");
        }
        List<SearchConfig.ObjectiveDataset> ds = new ArrayList<>();
        Node dn = req(o, "datasets", node, "search.objective");
        List<Node> items = list(dn, "search.objective.datasets");
        if (items.isEmpty()) {
            throw new ConfigException(dn.mark(), "search.objective.datasets: expected at least one dataset spec");
        }
        for (int i = 0; i < items.size(); i++) {
            String w = "search.objective.datasets[" + i + "]";
            Node item = items.get(i);
            if (item instanceof Node.Scalar) {
                ds.add(new SearchConfig.ObjectiveDataset(path(item, w), 1.0));
            } else {
                Map<String, Node> d = map(item, w, Set.of("spec", "weight"));
                double weight = number(d, "weight", w, 1.0);
                if (!(weight > 0)) {
                    throw new ConfigException(d.get("weight").mark(), w + ".weight: expected a positive number, got "
                            + weight);
                }
                ds.add(new SearchConfig.ObjectiveDataset(path(req(d, "spec", item, w), w + ".spec"), weight));
            }
        }
        long splitSeed = integer(o, "split_seed", "search.objective", 42);
        int max = (int) integer(o, "max_examples", "search.objective", 0);
        return new SearchConfig.Objective(metric, "validation", ds, splitSeed, Math.max(0, max));
    }

    private SearchConfig.Budget budget(Node node) {
        Map<String, Node> b = map(node, "search.budget", Set.of("candidates", "wall_time"));
        int n = (int) integer(b, "candidates", "search.budget", 0);
        if (n < 1) {
            throw new ConfigException(b.containsKey("candidates") ? b.get("candidates").mark() : node.mark(),
                    "search.budget.candidates: expected a positive number of candidates (the cap also when "
                            + "wall_time is set)");
        }
        Optional<Duration> wall = Optional.empty();
        if (b.containsKey("wall_time")) {
            wall = Optional.of(duration(b.get("wall_time"), "search.budget.wall_time"));
        }
        return new SearchConfig.Budget(n, wall);
    }

    static Duration duration(Node n, String where) {
        String t = scalarText(n, where).trim().toLowerCase(Locale.ROOT);
        try {
            if (t.startsWith("p")) {
                return Duration.parse(t.toUpperCase(Locale.ROOT));
            }
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(s|m|min|h|d)?")
                    .matcher(t);
            if (m.matches()) {
                double v = Double.parseDouble(m.group(1));
                String u = m.group(2) == null ? "s" : m.group(2);
                double secs = switch (u) {
                    case "m", "min" -> v * 60;
                    case "h" -> v * 3600;
                    case "d" -> v * 86400;
                    default -> v;
                };
                if (secs > 0) {
                    return Duration.ofMillis((long) (secs * 1000));
                }
            }
        } catch (java.time.format.DateTimeParseException e) {
            // fall through to the message below
        }
        throw new ConfigException(n.mark(), where + ": expected a positive duration like 90s, 30m, 2h or PT2H, got '"
                + t + "'");
    }

    // ---- typed reads --------------------------------------------------------------------------------------

    private static Map<String, Node> map(Node node, String where, Set<String> allowed) {
        if (!(node instanceof Node.MapNode m)) {
            throw new ConfigException(node.mark(), where + ": expected a mapping, got " + node.kind());
        }
        Map<String, Node> out = new LinkedHashMap<>();
        for (Node.Entry e : m.entries().values()) {
            if (allowed != null && !allowed.contains(e.key())) {
                throw new ConfigException(e.keyMark(), "unknown key '" + where + "." + e.key() + "'; expected one of "
                        + String.join(", ", new java.util.TreeSet<>(allowed)));
            }
            if (!(e.value() instanceof Node.Scalar sc && sc.isNull())) {
                out.put(e.key(), e.value());
            }
        }
        return out;
    }

    private static List<Node> list(Node node, String where) {
        if (!(node instanceof Node.ListNode l)) {
            throw new ConfigException(node.mark(), where + ": expected a list, got " + node.kind());
        }
        return l.items();
    }

    private static Node req(Map<String, Node> m, String key, Node parent, String where) {
        Node n = m.get(key);
        if (n == null) {
            throw new ConfigException(parent.mark(), where + "." + key + ": required");
        }
        return n;
    }

    private static String scalarText(Node n, String where) {
        if (!(n instanceof Node.Scalar s) || s.isNull()) {
            throw new ConfigException(n.mark(), where + ": expected a value, got " + n.kind());
        }
        return s.text();
    }

    private static String str(Map<String, Node> m, String key, String where, String dflt) {
        Node n = m.get(key);
        if (n == null) {
            return dflt;
        }
        if (!(n instanceof Node.Scalar s) || s.type() != Node.ScalarType.STR) {
            throw new ConfigException(n.mark(), where + "." + key + ": expected a string, got " + n.kind());
        }
        return s.text();
    }

    private static long integer(Map<String, Node> m, String key, String where, long dflt) {
        Node n = m.get(key);
        if (n == null) {
            return dflt;
        }
        if (n instanceof Node.Scalar s && s.type() == Node.ScalarType.INT && s.plain() instanceof Long l) {
            return l;
        }
        throw new ConfigException(n.mark(), where + "." + key + ": expected an integer, got " + n.kind());
    }

    private static int positive(Map<String, Node> m, String key, String where, int dflt) {
        long v = integer(m, key, where, dflt);
        if (v < 1 || v > Integer.MAX_VALUE) {
            throw new ConfigException(m.get(key).mark(), where + "." + key + ": expected a positive integer, got " + v);
        }
        return (int) v;
    }

    private static double number(Map<String, Node> m, String key, String where, double dflt) {
        Node n = m.get(key);
        if (n == null) {
            return dflt;
        }
        if (n instanceof Node.Scalar s) {
            if (s.type() == Node.ScalarType.INT || s.type() == Node.ScalarType.FLOAT) {
                Object v = s.plain();
                if (v instanceof Number num && Double.isFinite(num.doubleValue())) {
                    return num.doubleValue();
                }
            } else if (s.type() == Node.ScalarType.STR) {
                try { // YAML 1.1 reads 1e-3 as a string; researchers mean a number
                    double d = Double.parseDouble(s.text());
                    if (Double.isFinite(d)) {
                        return d;
                    }
                } catch (NumberFormatException e) {
                    // reported below
                }
            }
        }
        throw new ConfigException(n.mark(), where + "." + key + ": expected a finite number, got " + n.kind()
                + (n instanceof Node.Scalar s ? " '" + s.text() + "'" : ""));
    }

    /**
     * A checkpoint directory relative to the config, else a hub id already in the Hugging Face cache (parsing never
     * downloads: a config is often validated before its models exist; fetch hub models with fetch-model first).
     */
    private Path modelPath(Node n, String where) {
        String t = scalarText(n, where);
        Path local = baseDir.resolve(t).normalize();
        if (java.nio.file.Files.isDirectory(local)) {
            return local;
        }
        try {
            if (io.mergelab.model.hub.ModelReference.parse(t, baseDir) instanceof io.mergelab.model.hub.ModelReference.HubId id) {
                return new io.mergelab.model.hub.SnapshotFetcher(io.mergelab.model.hub.HubSettings.fromEnvironment(),
                        null).fromCache(id, "not a directory");
            }
        } catch (io.mergelab.model.hub.HubException e) {
            return local; // reported as a missing directory where the model is opened
        }
        return local;
    }

    private Path path(Node n, String where) {
        String t = scalarText(n, where);
        return baseDir.resolve(t).normalize();
    }
}
