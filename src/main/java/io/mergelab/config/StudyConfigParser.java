package io.mergelab.config;

import io.mergelab.yaml.ConfigException;

import io.mergelab.yaml.Fields;

import io.mergelab.yaml.Mark;

import io.mergelab.yaml.Node;

import io.mergelab.data.Suggest;

import io.mergelab.config.StudyConfig.Baselines;
import io.mergelab.config.StudyConfig.BaseModel;
import io.mergelab.config.StudyConfig.Pretrain;
import io.mergelab.config.StudyConfig.DatasetRef;
import io.mergelab.config.StudyConfig.Evaluate;
import io.mergelab.config.StudyConfig.ExecutorSettings;
import io.mergelab.config.StudyConfig.MergeModel;
import io.mergelab.config.StudyConfig.MergeSpec;
import io.mergelab.config.StudyConfig.ReportSettings;
import io.mergelab.config.StudyConfig.Variant;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Turns a study YAML (after extends/overrides/env, see {@link ConfigLayers}) into a validated {@link StudyConfig}.
 * Checks types, ranges, references between sections and files that must exist, before any work starts.
 */
public final class StudyConfigParser {
    static final List<String> TOP_KEYS = List.of("name", "description", "seed", "seeds", "base_model", "datasets",
            "variants", "training_args", "merges", "sweeps", "evaluate", "tracking", "executor", "report", "device",
            "precision", "search");
    /** The merge methods of this build (ServiceLoader): a study accepts what the engine has, nothing else. */
    private static final io.mergelab.merge.MethodRegistry REGISTRY = io.mergelab.merge.MethodRegistry.load();
    /** Each method's name and whether it needs a base model, from its declaration. */
    static final Map<String, Boolean> METHODS = methods();
    static final List<String> SPLITS = List.of("train", "validation", "test");
    static final List<String> METRICS = List.of("accuracy", "macro_f1", "weighted_f1", "loss", "ece");
    /** Every parameter some method declares (a sweep's models may go to several methods). */
    static final List<String> MERGE_PARAMS = REGISTRY.names().stream()
            .flatMap(m -> REGISTRY.get(m).parameters().stream().map(io.mergelab.merge.ParamSpec::name))
            .distinct().sorted().toList();
    static final String BASE = "base";

    private final ConfigLayers layers;
    private final Path home;

    /**
     * @param layers reads files with extends/overrides/env
     * @param home   the installation (mergelab.home): dataset names resolve to {@code home/configs/datasets/NAME.yaml}
     */
    public StudyConfigParser(ConfigLayers layers, Path home) {
        this.layers = layers;
        this.home = home;
    }

    public static StudyConfigParser standard(Path home) {
        return new StudyConfigParser(new ConfigLayers(System.getenv(), home.resolve("configs")), home);
    }

    public StudyConfig parse(Path file, List<String> overrides) {
        Node.MapNode root = layers.load(file, overrides);
        List<String> notes = new ArrayList<>();
        if (root.entries().containsKey("config")) {
            root = LegacyShape.translate(root, file, notes);
        }
        return build(root, file.toAbsolutePath().normalize(), notes);
    }

    private StudyConfig build(Node.MapNode root, Path file, List<String> notes) {
        Fields top = new Fields(root, "");
        top.allowOnly(TOP_KEYS);
        String name = top.has("name") ? top.requireString("name") : stem(file);
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
            throw new ConfigException(top.markOf("name"), "name: expected letters, digits, '.', '_' or '-' "
                    + "(it names the folder outputs/<name>), got '" + name + "'");
        }
        List<Long> seeds = seeds(top);
        BaseModel base = baseModel(top, seeds.get(0), file, notes);
        if (top.get("base_model") instanceof Node.MapNode b && new Fields(b, "base_model").has("pretrain")) {
            base = base.withPretrain(pretrain(new Fields(b, "base_model").get("pretrain"), file, notes));
        }
        List<DatasetRef> datasets = datasets(top, file);
        Map<String, Object> trainingArgs = trainingArgs(top.get("training_args"), "training_args", notes);
        List<Variant> variants = variants(top, datasets, trainingArgs, seeds.get(0), notes);
        Set<String> variantNames = new LinkedHashSet<>();
        variants.forEach(v -> variantNames.add(v.name()));
        List<MergeSpec> merges = new ArrayList<>();
        for (Node m : top.list("merges")) {
            merges.add(merge(m, variantNames));
        }
        for (Node s : top.list("sweeps")) {
            merges.addAll(sweep(s, variantNames));
        }
        Set<String> mergeNames = new LinkedHashSet<>();
        for (MergeSpec m : merges) {
            if (!mergeNames.add(m.name()) || variantNames.contains(m.name())) {
                throw new ConfigException(m.mark(), "merge name '" + m.name() + "' is used twice (merges, sweeps "
                        + "and variants share one name space)");
            }
        }
        Evaluate evaluate = evaluate(top.get("evaluate"));
        ExecutorSettings executor = executor(top.get("executor"));
        ReportSettings report = report(top.get("report"), evaluate);
        Map<String, Object> tracking = tracking(top.get("tracking"));
        Set<String> taken = new LinkedHashSet<>(variantNames);
        taken.addAll(mergeNames);
        StudyConfig.StudySearch search = top.has("search")
                ? StudySearchSection.read(top.get("search"), file, variantNames, datasets, taken) : null;
        return new StudyConfig(name, seeds, base, datasets, variants, trainingArgs, merges, evaluate, tracking,
                executor, report, file, notes, compute(top), search);
    }

    /** {@code device} and {@code precision} at the top level; both optional. */
    private static StudyConfig.Compute compute(Fields top) {
        String device = top.string("device", "auto").strip();
        if (!StudyConfig.Compute.DEVICE.matcher(device).matches()) {
            throw new ConfigException(top.markOf("device"), "device: expected auto, cpu, cuda or cuda:N, got '"
                    + device + "'");
        }
        String precision = top.has("precision")
                ? Fields.asChoice(top.get("precision"), "precision", List.of("fp32", "fp16", "bf16")) : "fp32";
        return new StudyConfig.Compute(device.toLowerCase(Locale.ROOT), precision,
                top.has("device") ? top.markOf("device") : top.mark());
    }

    private static String stem(Path file) {
        String n = file.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return (dot > 0 ? n.substring(0, dot) : n).replaceAll("[^A-Za-z0-9._-]", "_");
    }

    private static List<Long> seeds(Fields top) {
        if (top.has("seeds")) {
            if (top.has("seed")) {
                throw new ConfigException(top.markOf("seeds"), "give either 'seed' or 'seeds', not both");
            }
            List<Long> out = new ArrayList<>();
            for (Node n : top.listOrOne("seeds")) {
                long s = Fields.asLong(n, "seeds", 0, Integer.MAX_VALUE);
                if (out.contains(s)) {
                    throw new ConfigException(n.mark(), "seeds: seed " + s + " is listed twice");
                }
                out.add(s);
            }
            return out;
        }
        return List.of(top.integer("seed", 42, 0, Integer.MAX_VALUE));
    }

    private BaseModel baseModel(Fields top, long seed, Path file, List<String> notes) {
        Node n = top.get("base_model");
        if (n == null) {
            return new BaseModel("tiny", null, seed, top.mark());
        }
        if (n instanceof Node.Scalar s && s.type() == Node.ScalarType.STR) {
            n = new Node.MapNode(Map.of("name", new Node.Entry("name", s.mark(), s)), s.mark());
        }
        Fields f = new Fields(n, "base_model");
        f.allowOnly(List.of("preset", "path", "name", "seed", "num_labels", "pretrain"));
        long modelSeed = f.integer("seed", seed, 0, Integer.MAX_VALUE);
        int given = (f.has("preset") ? 1 : 0) + (f.has("path") ? 1 : 0) + (f.has("name") ? 1 : 0);
        if (given != 1) {
            throw new ConfigException(f.mark(), "base_model: expected exactly one of 'preset' (tiny, small, gpt2), "
                    + "'path' (a Hugging Face GPT-2 directory) or 'name', got " + given);
        }
        if (f.has("preset")) {
            String preset = Fields.asChoice(f.get("preset"), "base_model.preset", List.of("tiny", "small", "gpt2"));
            return new BaseModel(preset, null, modelSeed, f.markOf("preset"));
        }
        if (f.has("path")) {
            Path p = resolve(file, f.requireString("path"));
            if (!Files.isRegularFile(p.resolve("config.json"))) {
                throw new ConfigException(f.markOf("path"), "base_model.path: expected a Hugging Face model directory "
                        + "with config.json, not found: " + p);
            }
            return new BaseModel(null, p, modelSeed, f.markOf("path"));
        }
        // A hub id ("gpt2", "openai-community/gpt2@main"): a local directory if there is one, else the Hugging Face
        // cache or hub, which the pipeline checks (this package does not reach the cache).
        String id = f.requireString("name").strip();
        for (Path candidate : hubCandidates(file, id)) {
            if (Files.isRegularFile(candidate.resolve("config.json"))) {
                return new BaseModel(null, candidate, modelSeed, f.markOf("name"));
            }
        }
        if (id.startsWith("/") || id.startsWith(".") || id.startsWith("~") || id.endsWith("/")) {
            throw new ConfigException(f.markOf("name"), "base_model.name: no model directory " + id
                    + " (a path goes in base_model.path; name takes a hub id such as openai-community/gpt2)");
        }
        return new BaseModel(null, null, modelSeed, f.markOf("name"), id);
    }

    private Pretrain pretrain(Node n, Path file, List<String> notes) {
        Fields f = new Fields(n, "base_model.pretrain");
        f.allowOnly(List.of("corpus", "column", "held_out", "steps", "sampled_softmax", "training_args",
                "from_scratch_baseline"));
        List<Path> corpus = new ArrayList<>();
        for (Node c : f.listOrOne("corpus")) {
            Path p = resolve(file, Fields.asString(c, "base_model.pretrain.corpus"));
            if (!Files.exists(p)) {
                // a corpus that is fetched rather than shipped has a README.md beside it saying how
                Path readme = p.getParent() == null ? null : p.getParent().resolve("README.md");
                throw new ConfigException(c.mark(), "base_model.pretrain.corpus: no such file or directory: " + p
                        + (readme != null && Files.isRegularFile(readme) ? " (see " + readme + ")" : ""));
            }
            corpus.add(p);
        }
        if (corpus.isEmpty()) {
            throw new ConfigException(f.mark(), "base_model.pretrain.corpus: expected text files or directories "
                    + "(.txt lines, TSV/CSV text column), e.g. [../data/uci-sentiment/imdb_labelled.txt]");
        }
        String column = f.has("column") ? f.requireString("column") : null;
        double heldOut = f.has("held_out") ? Fields.asDoubleIn(f.get("held_out"), "base_model.pretrain.held_out", 0,
                true, 0.5) : 0.05;
        Map<String, Object> args = new LinkedHashMap<>(trainingArgs(f.get("training_args"),
                "base_model.pretrain.training_args", notes));
        if (f.has("steps")) {
            args.put("max_steps", f.integer("steps", 0, 1, Integer.MAX_VALUE));
        }
        int sampled = f.has("sampled_softmax") ? (int) f.integer("sampled_softmax", 0, 1, Integer.MAX_VALUE) : 0;
        return new Pretrain(corpus, column, heldOut, args, sampled, f.bool("from_scratch_baseline", false), f.mark());
    }

    private List<Path> hubCandidates(Path file, String id) {
        List<Path> out = new ArrayList<>();
        out.add(file.getParent().resolve(id));
        // the local roots every command uses ($MERGELAB_MODELS), then <mergelab>/models
        for (Path root : io.mergelab.model.hub.HubModelResolver.localRoots(System.getenv())) {
            out.addAll(io.mergelab.model.hub.HubModelResolver.localCandidates(root, id));
        }
        out.add(home.resolve("models").resolve(id));
        return out;
    }

    private Path resolve(Path configFile, String text) {
        Path p = Path.of(text);
        if (p.isAbsolute()) {
            return p.normalize();
        }
        Path local = configFile.getParent().resolve(p).normalize();
        if (Files.exists(local)) {
            return local;
        }
        Path fromHome = home.resolve(p).normalize();
        return Files.exists(fromHome) ? fromHome : local;
    }

    private List<DatasetRef> datasets(Fields top, Path file) {
        Node n = top.require("datasets");
        List<Node> items = n instanceof Node.ListNode l ? l.items() : null;
        if (items == null || items.isEmpty()) {
            throw new ConfigException(n.mark(), "datasets: expected a non-empty list of datasets, got "
                    + Fields.describe(n));
        }
        List<DatasetRef> out = new ArrayList<>();
        Set<String> names = new LinkedHashSet<>();
        for (Node item : items) {
            DatasetRef d = dataset(item, file);
            if (!names.add(d.name())) {
                throw new ConfigException(item.mark(), "datasets: name '" + d.name() + "' is used twice");
            }
            out.add(d);
        }
        return out;
    }

    private DatasetRef dataset(Node item, Path file) {
        if (item instanceof Node.Scalar s && s.type() == Node.ScalarType.STR) {
            Path spec = datasetFile(file, s.text(), s.mark());
            return new DatasetRef(s.text(), spec, null, s.mark());
        }
        Fields f = new Fields(item, "datasets[]");
        String name = f.requireString("name");
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
            throw new ConfigException(f.markOf("name"), "datasets[].name: expected letters, digits, '.', '_' or '-', got '"
                    + name + "'");
        }
        if (f.has("spec")) {
            f.allowOnly(List.of("name", "spec"));
            return new DatasetRef(name, datasetFile(file, f.requireString("spec"), f.markOf("spec")), null, f.mark());
        }
        if (f.node().entries().size() == 1) {
            return new DatasetRef(name, datasetFile(file, name, f.markOf("name")), null, f.mark());
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> inline = (Map<String, Object>) f.node().plain();
        if (inline.get("path") instanceof String p) {
            Path resolved = resolve(file, p);
            if (!Files.exists(resolved)) {
                throw new ConfigException(f.markOf("path"), "datasets[" + name + "].path: no such file " + resolved);
            }
            inline.put("path", resolved.toString());
        }
        return new DatasetRef(name, null, inline, f.mark());
    }

    /** A spec path, or a bare name meaning configs/datasets/NAME.yaml. */
    private Path datasetFile(Path file, String ref, Mark mark) {
        boolean bare = !ref.contains("/") && !ref.endsWith(".yaml") && !ref.endsWith(".yml");
        Path p = bare ? home.resolve("configs/datasets").resolve(ref + ".yaml") : resolve(file, ref);
        if (!Files.isRegularFile(p)) {
            throw new ConfigException(mark, "dataset spec not found: " + p
                    + (bare ? " (a bare name means configs/datasets/NAME.yaml)" : ""));
        }
        return p;
    }

    /**
     * A training_args block, each entry judged by TrainingArgs' one table where it is written (so an error names its
     * line or --set): a value keeps the setting's type (it is part of the fine-tune steps' identity), a transformers
     * argument with no effect here is dropped with a note saying why, and a later spelling of an argument (an alias
     * from --set) replaces an earlier one.
     */
    static Map<String, Object> trainingArgs(Node n, String where, List<String> notes) {
        if (n == null) {
            return Map.of();
        }
        Fields f = new Fields(n, where);
        Map<String, Object> out = new LinkedHashMap<>();
        for (Node.Entry e : f.node().entries().values()) {
            Node v = e.value();
            io.mergelab.train.TrainingArgs.Entry entry;
            try {
                entry = io.mergelab.train.TrainingArgs.checkEntry(e.key(), v.plain());
            } catch (io.mergelab.train.TrainingArgs.BadArgument bad) {
                throw bad.unknown() ? new ConfigException(e.keyMark(), where + ": " + bad.getMessage())
                        : new ConfigException(v.mark(), where + "." + e.key() + ": " + bad.problem());
            }
            if (entry.ignored()) {
                notes.add(e.keyMark() + ": " + where + "." + e.key() + " ignored: " + entry.ignoredBecause());
                continue;
            }
            out = io.mergelab.train.TrainingArgs.overlay(out, java.util.Collections.singletonMap(e.key(),
                    entry.configValue()));
        }
        return out;
    }

    private List<Variant> variants(Fields top, List<DatasetRef> datasets, Map<String, Object> globalArgs, long seed,
                                   List<String> notes) {
        Set<String> datasetNames = new LinkedHashSet<>();
        datasets.forEach(d -> datasetNames.add(d.name()));
        List<Variant> out = new ArrayList<>();
        if (!top.has("variants")) {
            for (DatasetRef d : datasets) {
                out.add(new Variant(d.name(), d.name(), 0, 0, seed, globalArgs, d.mark()));
            }
            return out;
        }
        List<Node> items = top.list("variants");
        if (items.isEmpty()) {
            throw new ConfigException(top.markOf("variants"), "variants: expected at least one variant");
        }
        Set<String> names = new LinkedHashSet<>();
        for (Node item : items) {
            for (Variant v : variant(item, datasetNames, globalArgs, seed, notes)) {
                if (v.name().equals(BASE) || !names.add(v.name())) {
                    throw new ConfigException(v.mark(), "variant name '" + v.name() + "' is "
                            + (v.name().equals(BASE) ? "reserved for the pre-trained base model" : "used twice"));
                }
                out.add(v);
            }
        }
        return out;
    }

    private static List<Variant> variant(Node item, Set<String> datasetNames, Map<String, Object> globalArgs,
                                         long studySeed, List<String> notes) {
        Fields f = new Fields(item, "variants[]");
        f.allowOnly(List.of("name", "dataset", "slice", "count", "split", "seed", "training_args"));
        String dataset = f.has("dataset") ? Fields.asChoice(f.get("dataset"), "variants[].dataset", datasetNames)
                : onlyDataset(f, datasetNames);
        long seed = f.integer("seed", studySeed, 0, Integer.MAX_VALUE);
        Map<String, Object> args = io.mergelab.train.TrainingArgs.overlay(globalArgs,
                trainingArgs(f.get("training_args"), "variants[].training_args", notes));
        if (f.has("count")) {
            if (f.has("slice")) {
                throw new ConfigException(f.markOf("slice"), "variants[]: give 'count' (k variants) or 'slice', not both");
            }
            int count = (int) f.integer("count", 1, 1, 1000);
            String split = f.choice("split", "disjoint", Set.of("disjoint", "full"));
            String template = f.string("name", dataset + "_{i}");
            if (count > 1 && !template.contains("{i}")) {
                throw new ConfigException(f.markOf("name"), "variants[].name: with count > 1 the name needs '{i}', "
                        + "e.g. '" + template + "_{i}'");
            }
            List<Variant> out = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                boolean disjoint = split.equals("disjoint") && count > 1;
                out.add(new Variant(template.replace("{i}", Integer.toString(i)), dataset, disjoint ? i : 0,
                        disjoint ? count : 0, split.equals("full") ? seed + i : seed, args, f.mark()));
            }
            return out;
        }
        String name = f.requireString("name");
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
            throw new ConfigException(f.markOf("name"), "variants[].name: expected letters, digits, '.', '_' or '-', got '"
                    + name + "'");
        }
        int index = 0;
        int of = 0;
        if (f.has("slice")) {
            Node s = f.get("slice");
            if (s instanceof Node.Scalar sc && sc.text().matches("\\d+/\\d+")) {
                index = Integer.parseInt(sc.text().split("/")[0]);
                of = Integer.parseInt(sc.text().split("/")[1]);
            } else if (s instanceof Node.MapNode) {
                Fields sf = new Fields(s, "variants[].slice");
                sf.allowOnly(List.of("index", "of"));
                index = (int) Fields.asLong(sf.require("index"), "variants[].slice.index", 0, 1000);
                of = (int) Fields.asLong(sf.require("of"), "variants[].slice.of", 1, 1000);
            } else {
                throw new ConfigException(s.mark(), "variants[].slice: expected 'INDEX/COUNT' (e.g. 0/5) or "
                        + "{index: 0, of: 5}, got " + Fields.describe(s));
            }
            if (of < 1 || index >= of) {
                throw new ConfigException(s.mark(), "variants[].slice: index must be in [0, " + (of - 1) + "] for "
                        + of + " slices, got " + index);
            }
        }
        return List.of(new Variant(name, dataset, index, of, seed, args, f.mark()));
    }

    private static String onlyDataset(Fields f, Set<String> datasetNames) {
        if (datasetNames.size() != 1) {
            throw new ConfigException(f.mark(), "variants[]: missing 'dataset' (the study has several: "
                    + String.join(", ", datasetNames) + ")");
        }
        return datasetNames.iterator().next();
    }

    private static MergeSpec merge(Node item, Set<String> variants) {
        Fields f = new Fields(item, "merges[]");
        if (f.has("recipe")) {
            return EmbeddedRecipe.parse(f, variants);
        }
        f.allowOnly(List.of("name", "method", "merge_method", "models", "base_model", "parameters", "dtype",
                "tokenizer_source"));
        if (f.has("method") && f.has("merge_method")) {
            throw new ConfigException(f.markOf("merge_method"), "merges[]: give 'method' or 'merge_method', not both");
        }
        Node methodNode = f.has("method") ? f.get("method") : f.require("merge_method");
        String method = Fields.asChoice(methodNode, "merges[].method", METHODS.keySet());
        String name = f.string("name", method);
        List<MergeModel> models = mergeModels(f, variants, method);
        String base = mergeBase(f, method, variants, models);
        Map<String, Object> params = mergeParams(f.get("parameters"), "merges[" + name + "].parameters",
                paramsOf(method, false), method);
        return new MergeSpec(name, method, models, base, params, null, Map.of(), f.mark());
    }

    /** @param method the models' merge method (null: a sweep over several; any method's parameter passes) */
    private static List<MergeModel> mergeModels(Fields f, Set<String> variants, String method) {
        Node modelsNode = f.require("models");
        List<Node> items = modelsNode instanceof Node.ListNode l ? l.items() : List.of();
        if (items.isEmpty()) {
            throw new ConfigException(modelsNode.mark(), "merges[].models: expected a non-empty list of variant names");
        }
        List<MergeModel> out = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (Node m : items) {
            String ref;
            Map<String, Object> params = Map.of();
            Mark mark = m.mark();
            if (m instanceof Node.MapNode) {
                Fields mf = new Fields(m, "merges[].models[]");
                mf.allowOnly(List.of("model", "parameters"));
                ref = mf.requireString("model");
                mark = mf.markOf("model");
                params = mergeParams(mf.get("parameters"), "merges[].models[" + ref + "].parameters",
                        method == null ? MERGE_PARAMS : paramsOf(method, true), method);
            } else {
                ref = Fields.asString(m, "merges[].models[]");
            }
            if (!variants.contains(ref)) {
                String hint = Suggest.closest(ref, variants);
                throw new ConfigException(mark, "merges[].models: no variant named '" + ref + "'"
                        + (hint != null ? " (did you mean '" + hint + "'?)" : "") + "; variants are "
                        + String.join(", ", variants));
            }
            if (!seen.add(ref)) {
                throw new ConfigException(mark, "merges[].models: variant '" + ref + "' is listed twice");
            }
            out.add(new MergeModel(ref, params));
        }
        return out;
    }

    private static String mergeBase(Fields f, String method, Set<String> variants, List<MergeModel> models) {
        String base = null;
        if (f.has("base_model")) {
            Node b = f.get("base_model");
            base = Fields.asString(b, "merges[].base_model");
            if (!base.equals(BASE) && !variants.contains(base)) {
                throw new ConfigException(b.mark(), "merges[].base_model: expected 'base' (the pre-trained model) or "
                        + "a variant name, got '" + base + "'");
            }
        }
        if (base == null && METHODS.get(method)) {
            throw new ConfigException(f.mark(), "merges[]: method '" + method + "' needs base_model ('base' for the "
                    + "pre-trained model, or a variant name)");
        }
        io.mergelab.merge.ModelCount count = REGISTRY.get(method).otherModels();
        String b = base;
        long others = models.stream().filter(m -> !m.variant().equals(b)).count();
        if (!count.allows((int) others)) {
            throw new ConfigException(f.markOf("models"), "merges[]: " + method + " takes " + count.describe()
                    + (base == null ? "" : " besides base_model") + ", got " + others);
        }
        return base;
    }

    /** @param method the method reading them, whose declared ranges apply (null: every method declaring one) */
    static Map<String, Object> mergeParams(Node n, String where, List<String> allowed, String method) {
        if (n == null) {
            return Map.of();
        }
        Fields f = new Fields(n, where);
        f.allowOnly(allowed);
        Map<String, Object> out = new LinkedHashMap<>();
        for (Node.Entry e : f.node().entries().values()) {
            List<io.mergelab.merge.ParamSpec.Range> ranges = rangesOf(e.key(), method);
            out.put(e.key(), !ranges.isEmpty() && !(e.value() instanceof Node.Scalar s
                    && s.type() == Node.ScalarType.BOOL) ? inRanges(e.value(), where + "." + e.key(), ranges)
                    : e.value().plain());
        }
        return out;
    }

    /**
     * The bounded ranges declared for a parameter by {@code method}, or by every method when null (a sweep's models
     * go to several methods; a value must suit each that reads it).
     */
    static List<io.mergelab.merge.ParamSpec.Range> rangesOf(String param, String method) {
        return (method == null ? REGISTRY.names() : Set.of(method)).stream()
                .flatMap(m -> REGISTRY.get(m).parameters().stream()).filter(p -> p.name().equals(param))
                .map(io.mergelab.merge.ParamSpec::range).filter(io.mergelab.merge.ParamSpec.Range::bounded).distinct()
                .toList();
    }

    /** A number in every range given, or a one-line error at its position naming the first it misses. */
    static double inRanges(Node n, String what, List<io.mergelab.merge.ParamSpec.Range> ranges) {
        double v = Fields.asDouble(n, what);
        for (io.mergelab.merge.ParamSpec.Range range : ranges) {
            if (Double.isNaN(v) || !range.contains(v)) {
                throw new ConfigException(n.mark(), what + ": expected a number in " + range + ", got " + v);
            }
        }
        return v;
    }

    private static List<MergeSpec> sweep(Node item, Set<String> variants) {
        Fields f = new Fields(item, "sweeps[]");
        f.allowOnly(List.of("name", "methods", "method", "models", "base_model", "density", "weight", "lambda"));
        String name = f.requireString("name");
        List<String> methods = new ArrayList<>();
        for (Node m : f.listOrOne(f.has("methods") ? "methods" : "method")) {
            methods.add(Fields.asChoice(m, "sweeps[].methods", METHODS.keySet()));
        }
        if (methods.isEmpty()) {
            throw new ConfigException(f.mark(), "sweeps[" + name + "]: missing 'methods' (a list of merge methods)");
        }
        List<MergeModel> models = mergeModels(f, variants, null);
        List<Double> densities = values(f, "density", methods);
        List<Double> weights = values(f, "weight", methods);
        List<Double> lambdas = values(f, "lambda", methods);
        List<MergeSpec> out = new ArrayList<>();
        Set<String> names = new LinkedHashSet<>();
        for (String method : methods) {
            String base = mergeBase(f, method, variants, models);
            boolean usesDensity = usesDensity(method);
            for (Double d : usesDensity ? densities : nullList()) {
                for (Double w : weights.isEmpty() || !paramsOf(method, false).contains("weight") ? nullList()
                        : weights) {
                    for (Double l : lambdas.isEmpty() || !paramsOf(method, false).contains("lambda") ? nullList()
                            : lambdas) {
                        Map<String, Object> point = new LinkedHashMap<>();
                        point.put("method", method);
                        Map<String, Object> params = new LinkedHashMap<>();
                        StringBuilder n = new StringBuilder(name).append('-').append(method);
                        if (d != null) {
                            params.put("density", d);
                            point.put("density", d);
                            n.append("-d").append(fmt(d));
                        }
                        if (w != null) {
                            point.put("weight", w);
                            n.append("-w").append(fmt(w));
                        }
                        if (l != null) {
                            params.put("lambda", l);
                            point.put("lambda", l);
                            n.append("-l").append(fmt(l));
                        }
                        List<MergeModel> weighted = models.stream().map(m -> w == null ? m
                                : new MergeModel(m.variant(), Map.of("weight", w))).toList();
                        if (names.add(n.toString())) {
                            out.add(new MergeSpec(n.toString(), method, weighted, base, params, name, point, f.mark()));
                        }
                    }
                }
            }
        }
        return out;
    }

    private static List<Double> nullList() {
        List<Double> l = new ArrayList<>();
        l.add(null);
        return l;
    }

    /** A sweep's values of one parameter, each in the range of every swept method that reads it. */
    private static List<Double> values(Fields f, String key, List<String> methods) {
        List<io.mergelab.merge.ParamSpec.Range> ranges = methods.stream().flatMap(m -> rangesOf(key, m).stream())
                .distinct().toList();
        List<Double> out = new ArrayList<>();
        for (Node n : f.listOrOne(key)) {
            out.add(ranges.isEmpty() ? Fields.asDouble(n, "sweeps[]." + key) : inRanges(n, "sweeps[]." + key, ranges));
        }
        return out;
    }

    static boolean usesDensity(String method) {
        return paramsOf(method, false).contains("density");
    }

    static String fmt(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e9 ? Long.toString((long) v)
                : String.format(Locale.ROOT, "%s", v);
    }

    private static Evaluate evaluate(Node n) {
        Baselines defaults = new Baselines(true, true, false, false, false);
        if (n == null) {
            return new Evaluate(List.of("validation", "test"), METRICS, defaults);
        }
        Fields f = new Fields(n, "evaluate");
        f.allowOnly(List.of("splits", "metrics", "baselines"));
        List<String> splits = new ArrayList<>();
        for (Node s : f.has("splits") ? f.listOrOne("splits") : List.<Node>of()) {
            splits.add(Fields.asChoice(s, "evaluate.splits", SPLITS));
        }
        if (splits.isEmpty()) {
            splits = List.of("validation", "test");
        }
        List<String> metrics = new ArrayList<>();
        for (Node s : f.has("metrics") ? f.listOrOne("metrics") : List.<Node>of()) {
            metrics.add(Fields.asChoice(s, "evaluate.metrics", METRICS));
        }
        if (metrics.isEmpty()) {
            metrics = METRICS;
        }
        Baselines b = defaults;
        Node bn = f.get("baselines");
        if (bn instanceof Node.Scalar s && s.type() == Node.ScalarType.BOOL) {
            boolean on = (Boolean) s.plain();
            b = new Baselines(on, on, false, false, false);
        } else if (bn != null) {
            Fields bf = new Fields(bn, "evaluate.baselines");
            bf.allowOnly(List.of("variants", "ensemble", "stacker", "linear_probe", "full_finetune"));
            b = new Baselines(bf.bool("variants", true), bf.bool("ensemble", true), bf.bool("stacker", false),
                    bf.bool("linear_probe", false), bf.bool("full_finetune", false));
        }
        if (b.stacker() && !splits.contains("validation")) {
            throw new ConfigException(bn.mark(), "evaluate.baselines.stacker: the stacker is trained on validation "
                    + "logits; add 'validation' to evaluate.splits");
        }
        return new Evaluate(splits, metrics, b);
    }

    private static ExecutorSettings executor(Node n) {
        int defaultParallelism = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
        if (n == null) {
            return new ExecutorSettings("local", defaultParallelism, Map.of());
        }
        Fields f = new Fields(n, "executor");
        String kind = f.choice("kind", "local", Set.of("local", "slurm"));
        int parallelism = (int) f.integer("parallelism", defaultParallelism, 1, 256);
        @SuppressWarnings("unchecked")
        Map<String, Object> options = new LinkedHashMap<>((Map<String, Object>) f.node().plain());
        options.remove("kind");
        options.remove("parallelism");
        return new ExecutorSettings(kind, parallelism, options);
    }

    /**
     * {@code tracking: {uri, enabled, experiment, upload_models_mb}}; the pipeline resolves the server
     * (MLFLOW_TRACKING_URI).
     */
    private static Map<String, Object> tracking(Node n) {
        if (n == null) {
            return Map.of();
        }
        Fields f = new Fields(n, "tracking");
        f.allowOnly(List.of("uri", "enabled", "experiment", "upload_models_mb"));
        Map<String, Object> out = new LinkedHashMap<>();
        if (f.has("uri")) {
            String uri = f.string("uri", "").strip();
            if (!uri.matches("(?i)https?://[^\\s/]+.*")) { // the value is not echoed: it may hold a password
                throw new ConfigException(f.markOf("uri"), "tracking.uri: expected http(s)://host:port of an MLflow "
                        + "tracking server (start one with bin/mlflow-server start)");
            }
            out.put("uri", uri);
        }
        out.put("enabled", f.bool("enabled", true));
        if (f.has("upload_models_mb")) {
            out.put("upload_models_mb", f.integer("upload_models_mb", 0, 0, 1_000_000));
        }
        if (f.has("experiment")) {
            String experiment = f.string("experiment", "").strip();
            if (experiment.isEmpty() || experiment.contains("'")) {
                throw new ConfigException(f.markOf("experiment"), "tracking.experiment: expected a non-empty MLflow "
                        + "experiment name without single quotes");
            }
            out.put("experiment", experiment);
        }
        return out;
    }

    private static ReportSettings report(Node n, Evaluate evaluate) {
        if (n == null) {
            return new ReportSettings("accuracy", evaluate.splits().contains("test") ? "test"
                    : evaluate.splits().get(0), true, true, Map.of(), ReportSettings.DEFAULT_DECIMALS,
                    ReportSettings.DEFAULT_BOOTSTRAP);
        }
        Fields f = new Fields(n, "report");
        f.allowOnly(List.of("metric", "split", "plots", "analysis", "names", "decimals", "bootstrap"));
        String metric = f.choice("metric", "accuracy", new LinkedHashSet<>(METRICS));
        String split = f.has("split") ? Fields.asChoice(f.get("split"), "report.split", evaluate.splits())
                : evaluate.splits().contains("test") ? "test" : evaluate.splits().get(0);
        Map<String, String> names = new LinkedHashMap<>();
        if (f.has("names")) {
            if (!(f.get("names") instanceof Node.MapNode m)) {
                throw new ConfigException(f.markOf("names"), "report.names: expected a mapping of model or method "
                        + "names to display names, e.g. {ties: TIES, yelp_0: Yelp-A}");
            }
            m.entries().forEach((k, e) -> names.put(k, String.valueOf(e.value().plain())));
        }
        int decimals = (int) f.integer("decimals", ReportSettings.DEFAULT_DECIMALS, 0, 8);
        int bootstrap = (int) f.integer("bootstrap", ReportSettings.DEFAULT_BOOTSTRAP, 100, 1_000_000);
        return new ReportSettings(metric, split, f.bool("plots", true), f.bool("analysis", true), names, decimals,
                bootstrap);
    }

    private static Map<String, Boolean> methods() {
        Map<String, Boolean> m = new LinkedHashMap<>();
        for (String name : new java.util.TreeSet<>(REGISTRY.names())) {
            m.put(name, REGISTRY.get(name).basePolicy() == io.mergelab.merge.BasePolicy.REQUIRED);
        }
        return java.util.Collections.unmodifiableMap(m);
    }

    /** The parameters {@code method} declares (per-model ones only, for a model's own parameters). */
    static List<String> paramsOf(String method, boolean perModelOnly) {
        return REGISTRY.get(method).parameters().stream().filter(p -> !perModelOnly || p.perModel())
                .map(io.mergelab.merge.ParamSpec::name).toList();
    }
}
