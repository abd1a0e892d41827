package io.mergelab.merge;

import io.mergelab.merge.recipe.MergeRecipe;
import io.mergelab.merge.recipe.ParamValue;
import io.mergelab.merge.recipe.SliceSpec;
import io.mergelab.merge.recipe.SourceSpec;
import io.mergelab.model.checkpoint.DType;
import io.mergelab.model.checkpoint.Gpt2Config;
import io.mergelab.model.checkpoint.Gpt2TensorNames;
import io.mergelab.model.checkpoint.TensorInfo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Turns a recipe into a {@link MergePlan} the way mergekit plans one: {@code models:} becomes one slice
 * (base auto-added when not listed), output layers are numbered across slices, pre-weights (wte, wpe)
 * come from the first slice and post-weights (ln_f, score) from the last, and every parameter is
 * resolved per tensor with mergekit's precedence (source, slice, top level, method default) and
 * gradient position t. All checks run here, before any tensor is computed.
 */
public final class MergePlanner {
    private static final String[] LAYER_PARTS = {
        "ln_1.weight", "ln_1.bias", "attn.c_attn.weight", "attn.c_attn.bias", "attn.c_proj.weight",
        "attn.c_proj.bias", "ln_2.weight", "ln_2.bias", "mlp.c_fc.weight", "mlp.c_fc.bias",
        "mlp.c_proj.weight", "mlp.c_proj.bias",
    };
    private static final String LM = Gpt2TensorNames.GPT2_LM_HEAD_MODEL;

    private final MethodRegistry registry;
    private final ModelResolver resolver;

    public MergePlanner(MethodRegistry registry, ModelResolver resolver) {
        this.registry = registry;
        this.resolver = resolver;
    }

    /** A slice after normalisation: its sources (base included where mergekit adds it) and base. */
    private record Slice(List<Source> sources, Optional<String> base, Map<String, ParamValue> params, int length,
            String field) {
    }

    private record Source(ModelInput model, int start, Map<String, ParamValue> params, String field) {
    }

    public MergePlan plan(MergeRecipe r, long seed) {
        MergeMethod method;
        try {
            method = registry.get(r.mergeMethod());
        } catch (MergeException e) {
            throw new MergeException(r.where() + ": field 'merge_method': " + e.getMessage());
        }
        Map<String, ParamSpec> specs = new LinkedHashMap<>();
        method.parameters().forEach(p -> specs.put(p.name(), p));
        List<String> ignored = checkParameterNames(r, method, specs);

        List<Slice> slices = slices(r, method);
        Map<String, ModelInput> models = new LinkedHashMap<>();
        for (Slice s : slices) {
            for (Source src : s.sources()) {
                models.putIfAbsent(src.model().ref(), src.model());
            }
        }
        ModelInput donor = r.baseModel().map(b -> resolver.resolve(b, "base_model"))
                .orElse(slices.get(0).sources().get(0).model());
        List<String> notes = new ArrayList<>(ignored);
        ignored.forEach(w -> System.err.println("warning: " + w));
        checkCompatible(models.values(), donor);

        // heads: merged when every input of the last slice has one over the same labels
        Slice last = slices.get(slices.size() - 1);
        List<ModelInput> headInputs = last.sources().stream().map(Source::model).distinct().toList();
        List<ModelInput> withHead = headInputs.stream().filter(MergePlanner::hasScore).toList();
        HeadMode headMode;
        if (withHead.isEmpty()) {
            headMode = HeadMode.NONE;
        } else if (withHead.size() == headInputs.size()
                && withHead.stream().map(m -> labels(m)).distinct().count() == 1) {
            headMode = HeadMode.MERGED;
        } else {
            headMode = HeadMode.PER_TASK;
        }

        Gpt2Config cfg = donor.dir().config();
        List<MergePlan.TaskHead> taskHeads = new ArrayList<>();
        ModelInput mainHead = null;
        if (headMode == HeadMode.PER_TASK) {
            mainHead = hasScore(donor) ? donor : withHead.get(0);
            Set<String> used = new TreeSet<>();
            for (ModelInput m : withHead) {
                String name = headName(m.ref(), used);
                taskHeads.add(new MergePlan.TaskHead(name, m, labels(m)));
            }
            if (mainHead != donor) {
                Gpt2Config hc = mainHead.dir().config();
                cfg = cfg.withClassification(hc.labelList(),
                        hc.padTokenId() != null ? hc.padTokenId() : Gpt2Config.GPT2_EOS);
            }
            notes.add("Classification heads: the inputs have different label spaces"
                    + (hasScore(donor) ? "" : " (the donor has no head)") + ", so heads were NOT merged. The "
                    + "backbone is merged; model.safetensors carries the head of '" + mainHead.ref() + "' and "
                    + "heads/<task>/ holds each classifier's own head (score.weight + labels) for per-dataset "
                    + "evaluation.");
        } else if (headMode == HeadMode.MERGED) {
            notes.add("Classification heads: all inputs share the label space " + labels(withHead.get(0))
                    + ", so score.weight was merged like every other tensor.");
        } else {
            notes.add("Classification heads: none (language-model inputs).");
        }

        int outLayers = slices.stream().mapToInt(Slice::length).sum();
        if (r.usesSlices() && outLayers != cfg.nLayer()) {
            cfg = cfg.withNLayer(outLayers);
        }

        Optional<ModelInput> restFrom = r.selection().map(s -> resolver.resolve(s.restFrom(), "select.rest_from"));
        restFrom.ifPresent(m -> checkCompatible(List.of(m), donor));

        List<PlannedTensor> tensors = new ArrayList<>();
        Slice first = slices.get(0);
        for (String c : List.of("wte.weight", "wpe.weight")) {
            tensors.add(tensor(r, method, specs, first, hf(c), c, 0.0, -1, seed, restFrom));
        }
        int offset = 0;
        for (Slice s : slices) {
            for (int i = 0; i < s.length(); i++) {
                double t = s.length() == 1 ? 1.0 : (double) i / (s.length() - 1);
                int outLayer = offset + i;
                for (String part : LAYER_PARTS) {
                    String out = "h." + outLayer + "." + part;
                    tensors.add(tensor(r, method, specs, s, hf(out), part, t, i, seed, restFrom, outLayer));
                }
            }
            offset += s.length();
        }
        for (String c : List.of("ln_f.weight", "ln_f.bias")) {
            tensors.add(tensor(r, method, specs, last, hf(c), c, 0.0, -1, seed, restFrom));
        }
        if (headMode == HeadMode.MERGED) {
            tensors.add(tensor(r, method, specs, last, Gpt2TensorNames.SCORE, Gpt2TensorNames.SCORE, 0.0, -1, seed,
                    restFrom));
        } else if (headMode == HeadMode.PER_TASK) {
            TensorInfo info = mainHead.dir().tensorByCanonicalName(Gpt2TensorNames.SCORE).orElseThrow();
            tensors.add(new PlannedTensor(Gpt2TensorNames.SCORE, info.shape(),
                    List.of(new PlannedTensor.Input(mainHead, info, Map.of())), -1, Map.of(), 0, true));
        }

        DType outDtype = outDtype(r, tensors);
        Path tokenizerDir = tokenizerDir(r, donor, models.values());
        notes.add(0, computationNote(r, method, tensors, outDtype));
        cfg = cfg.withTorchDtype(switch (outDtype) {
            case F16 -> "float16";
            case BF16 -> "bfloat16";
            default -> "float32";
        });
        return new MergePlan(r, method, List.copyOf(models.values()), donor, cfg, headMode, taskHeads, tensors,
                outDtype, tokenizerDir, seed, notes);
    }

    private PlannedTensor tensor(MergeRecipe r, MergeMethod method, Map<String, ParamSpec> specs, Slice s,
            String outName, String part, double t, int localLayer, long seed, Optional<ModelInput> restFrom) {
        return tensor(r, method, specs, s, outName, part, t, localLayer, seed, restFrom, -1);
    }

    private PlannedTensor tensor(MergeRecipe r, MergeMethod method, Map<String, ParamSpec> specs, Slice s,
            String outName, String part, double t, int localLayer, long seed, Optional<ModelInput> restFrom,
            int outLayer) {
        if (restFrom.isPresent() && !r.selection().get().selects(outName, outLayer)) {
            String canonical = Gpt2TensorNames.canonical(outName);
            TensorInfo info = find(restFrom.get(), canonical);
            return new PlannedTensor(outName, info.shape(), List.of(new PlannedTensor.Input(restFrom.get(), info,
                    Map.of())), -1, Map.of(), 0, true);
        }
        Map<String, Double> global = new LinkedHashMap<>();
        for (ParamSpec p : specs.values()) {
            if (!p.perModel()) {
                Double v = resolve(p, outName, t, s.params(), r.parameters());
                if (v == null) {
                    throw new MergeException(r.where() + ": tensor '" + outName + "': missing required parameter '"
                            + p.name() + "' for merge_method " + method.name());
                }
                global.put(p.name(), v);
            }
        }
        List<PlannedTensor.Input> inputs = new ArrayList<>();
        int baseIndex = -1;
        long[] shape = null;
        String shapeFrom = null;
        for (Source src : s.sources()) {
            String canonical = localLayer >= 0 ? "h." + (src.start() + localLayer) + "." + part : part;
            String inName = hf(canonical);
            TensorInfo info = find(src.model(), canonical);
            if (!info.dtype().isFloating()) {
                throw new MergeException("model '" + src.model().ref() + "': tensor '" + info.name() + "' has dtype "
                        + info.dtype() + "; only floating-point tensors can be merged");
            }
            if (shape == null) {
                shape = info.shape();
                shapeFrom = src.model().ref();
            } else if (!Arrays.equals(shape, info.shape())) {
                String hint = canonical.equals("wte.weight") ? " (vocab sizes differ: mergelab does not rebuild "
                        + "embeddings for different tokenizers; merge models that share one tokenizer)" : "";
                throw new MergeException("model '" + src.model().ref() + "': tensor '" + inName + "' has shape "
                        + Arrays.toString(info.shape()) + " but model '" + shapeFrom + "' has " + Arrays.toString(shape)
                        + hint);
            }
            boolean isBase = s.base().isPresent() && s.base().get().equals(src.model().ref());
            if (isBase) {
                baseIndex = inputs.size();
            }
            Map<String, Double> params = new HashMap<>();
            for (ParamSpec p : specs.values()) {
                if (!p.perModel()) {
                    continue;
                }
                // methods measuring from the base (task vectors) never read per-model parameters of it
                if (isBase && method.basePolicy().baseIsOrigin()) {
                    continue;
                }
                Double v = resolveModel(p, inName, outName, t, src.params(), s.params(), r.parameters());
                if (v == null) {
                    throw new MergeException(r.where() + ": model '" + src.model().ref() + "': tensor '" + outName
                            + "': missing required parameter '" + p.name() + "' for merge_method " + method.name()
                            + " (set it under " + src.field() + ".parameters or the top-level parameters)");
                }
                if (p.name().equals("density") && !(v > 0 && v <= 1)) {
                    throw new MergeException(r.where() + ": model '" + src.model().ref() + "': tensor '" + outName
                            + "': parameter 'density' is " + v + "; it must lie in (0, 1]");
                }
                params.put(p.name(), v);
            }
            inputs.add(new PlannedTensor.Input(src.model(), info, params));
        }
        if (method.basePolicy() == BasePolicy.REQUIRED && baseIndex < 0) {
            throw new MergeException(r.where() + ": field 'base_model': merge_method " + method.name()
                    + " needs a base_model");
        }
        int others = inputs.size() - (baseIndex >= 0 ? 1 : 0);
        if (!method.otherModels().allows(others)) {
            List<String> refs = new ArrayList<>();
            for (int i = 0; i < inputs.size(); i++) {
                if (i != baseIndex) {
                    refs.add(inputs.get(i).model().ref());
                }
            }
            throw new MergeException(r.where() + ": tensor '" + outName + "': merge_method " + method.name()
                    + " takes " + method.otherModels().describe() + (baseIndex >= 0 ? " besides the base_model" : "")
                    + ", got " + others + ": " + refs);
        }
        if (method.basePolicy() == BasePolicy.SINGLE_INPUT && inputs.size() != 1) {
            throw new MergeException(r.where() + ": tensor '" + outName + "': merge_method " + method.name()
                    + " takes exactly one model per slice (got " + inputs.size() + ": " + inputs.stream()
                    .map(i -> i.model().ref()).toList() + ")");
        }
        PlannedTensor planned = new PlannedTensor(outName, shape, inputs, baseIndex, global, tensorSeed(seed, outName),
                false);
        try {
            method.check(planned);
        } catch (MergeException e) {
            throw new MergeException(r.where() + ": " + e.getMessage(), e);
        }
        return planned;
    }

    private static Double resolve(ParamSpec p, String name, double t, Map<String, ParamValue> slice,
            Map<String, ParamValue> top) {
        Double v = eval(slice.get(p.name()), name, t);
        if (v == null) {
            v = eval(top.get(p.name()), name, t);
        }
        if (v == null) {
            v = p.defaultValue();
        }
        checkKind(p, v, name);
        return v;
    }

    private static Double resolveModel(ParamSpec p, String inName, String outName, double t,
            Map<String, ParamValue> source, Map<String, ParamValue> slice, Map<String, ParamValue> top) {
        Double v = eval(source.get(p.name()), inName, t);
        if (v == null) {
            v = eval(slice.get(p.name()), outName, t);
        }
        if (v == null) {
            v = eval(top.get(p.name()), outName, t);
        }
        if (v == null) {
            v = p.defaultValue();
        }
        checkKind(p, v, outName);
        return v;
    }

    private static void checkKind(ParamSpec p, Double v, String tensor) {
        if (p.bool() && v != null && v != 0.0 && v != 1.0) {
            throw new MergeException("tensor '" + tensor + "': parameter '" + p.name() + "' is a flag (true/false) "
                    + "but evaluates to " + v);
        }
        if (p.integer() && v != null && (v != Math.rint(v) || Double.isInfinite(v))) {
            throw new MergeException("tensor '" + tensor + "': parameter '" + p.name() + "' is a whole number "
                    + "but evaluates to " + v);
        }
    }

    private static Double eval(ParamValue v, String name, double t) {
        return v == null ? null : v.evaluate(name, t);
    }

    /** Stable across runs and JVMs: FNV-1a of the name mixed with the run seed. */
    public static long tensorSeed(long seed, String name) {
        long h = 0xcbf29ce484222325L;
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return h ^ (seed * 0x9E3779B97F4A7C15L);
    }

    private List<Slice> slices(MergeRecipe r, MergeMethod method) {
        List<Slice> out = new ArrayList<>();
        if (!r.usesSlices()) {
            List<Source> sources = new ArrayList<>();
            Set<String> seen = new java.util.HashSet<>();
            Integer layers = null;
            String layersFrom = null;
            for (int i = 0; i < r.models().size(); i++) {
                SourceSpec m = r.models().get(i);
                String field = "models[" + i + "]";
                if (!seen.add(m.model())) {
                    continue; // mergekit collapses repeated models; the first listing's parameters win
                }
                ModelInput in = resolver.resolve(m.model(), field + ".model");
                int n = in.dir().config().nLayer();
                if (layers != null && n != layers) {
                    throw new MergeException(r.where() + ": " + field + ": model '" + m.model() + "' has " + n
                            + " layers but '" + layersFrom + "' has " + layers + "; models must have the same n_layer");
                }
                layers = n;
                layersFrom = m.model();
                sources.add(new Source(in, 0, m.parameters(), field));
            }
            if (r.baseModel().isPresent() && !seen.contains(r.baseModel().get())) {
                if (method.basePolicy() == BasePolicy.SINGLE_INPUT) {
                    throw new MergeException(r.where() + ": field 'base_model': passthrough takes no base_model");
                }
                ModelInput base = resolver.resolve(r.baseModel().get(), "base_model");
                if (base.dir().config().nLayer() != layers) {
                    throw new MergeException(r.where() + ": field 'base_model': '" + base.ref() + "' has "
                            + base.dir().config().nLayer() + " layers but the models have " + layers);
                }
                sources.add(new Source(base, 0, Map.of(), "base_model"));
            }
            out.add(new Slice(sources, r.baseModel(), Map.of(), layers, "models"));
            return out;
        }
        for (int j = 0; j < r.slices().size(); j++) {
            SliceSpec s = r.slices().get(j);
            String field = "slices[" + j + "]";
            List<Source> sources = new ArrayList<>();
            Optional<String> base = s.baseModel().or(r::baseModel);
            boolean baseListed = false;
            int len = -1;
            for (int i = 0; i < s.sources().size(); i++) {
                SourceSpec src = s.sources().get(i);
                String f = field + ".sources[" + i + "]";
                ModelInput in = resolver.resolve(src.model(), f + ".model");
                SourceSpec.LayerRange range = src.layerRange().orElseThrow();
                if (range.end() > in.dir().config().nLayer()) {
                    throw new MergeException(r.where() + ": " + f + ".layer_range: [" + range.start() + ", "
                            + range.end() + ") exceeds model '" + src.model() + "' which has "
                            + in.dir().config().nLayer() + " layers");
                }
                len = range.length();
                baseListed |= base.isPresent() && base.get().equals(src.model());
                sources.add(new Source(in, range.start(), src.parameters(), f));
            }
            if (base.isPresent() && !baseListed && method.basePolicy() != BasePolicy.SINGLE_INPUT) {
                throw new MergeException(r.where() + ": " + field + ": base_model '" + base.get() + "' must be one of "
                        + "the slice's sources (it gives the layer range)");
            }
            out.add(new Slice(sources, baseListed ? base : Optional.empty(), s.parameters(), len, field));
        }
        return out;
    }

    /**
     * Refuses a parameter no registered method reads (a typo: the message lists what this method accepts); one that
     * only other methods read ({@code weight} on slerp, as mergekit's own test recipes write) is ignored, as
     * mergekit ignores it, and returned as a one-line warning.
     */
    private List<String> checkParameterNames(MergeRecipe r, MergeMethod method, Map<String, ParamSpec> specs) {
        List<String> ignored = new ArrayList<>();
        List<Map.Entry<String, Map<String, ParamValue>>> places = new ArrayList<>();
        places.add(Map.entry("parameters", r.parameters()));
        for (int i = 0; i < r.models().size(); i++) {
            places.add(Map.entry("models[" + i + "].parameters", r.models().get(i).parameters()));
        }
        for (int j = 0; j < r.slices().size(); j++) {
            places.add(Map.entry("slices[" + j + "].parameters", r.slices().get(j).parameters()));
            for (int i = 0; i < r.slices().get(j).sources().size(); i++) {
                places.add(Map.entry("slices[" + j + "].sources[" + i + "].parameters",
                        r.slices().get(j).sources().get(i).parameters()));
            }
        }
        for (Map.Entry<String, Map<String, ParamValue>> e : places) {
            for (String name : e.getValue().keySet()) {
                ParamSpec p = specs.get(name);
                if (p == null && registry.names().stream().anyMatch(m -> registry.get(m).parameters().stream()
                        .anyMatch(q -> q.name().equals(name)))) {
                    ignored.add(r.where() + ": field '" + e.getKey() + "." + name + "': " + method.name()
                            + " does not read '" + name + "'; ignored, as mergekit ignores it");
                    continue;
                }
                if (p == null) {
                    throw new MergeException(r.where() + ": field '" + e.getKey() + "." + name + "': unknown parameter '"
                            + name + "' for merge_method " + method.name() + " (accepted: "
                            + String.join(", ", specs.keySet()) + ")");
                }
                if (!p.perModel() && e.getKey().startsWith("models[") || !p.perModel() && e.getKey().contains("sources[")) {
                    throw new MergeException(r.where() + ": field '" + e.getKey() + "." + name + "': '" + name
                            + "' is a global parameter of " + method.name() + "; set it under the top-level or slice "
                            + "parameters, not per model");
                }
            }
        }
        return ignored;
    }

    private static void checkCompatible(java.util.Collection<ModelInput> models, ModelInput donor) {
        Gpt2Config d = donor.dir().config();
        for (ModelInput m : models) {
            Gpt2Config c = m.dir().config();
            if (c.vocabSize() != d.vocabSize()) {
                throw new MergeException("model '" + m.ref() + "': vocab_size " + c.vocabSize() + " differs from '"
                        + donor.ref() + "' (" + d.vocabSize() + "); mergelab does not rebuild embeddings for "
                        + "different tokenizers (mergekit's tokenizer_source: union); merge models sharing one tokenizer");
            }
            if (c.nEmbd() != d.nEmbd() || c.nHead() != d.nHead() || c.nInner() != d.nInner()
                    || c.nPositions() != d.nPositions()) {
                throw new MergeException("model '" + m.ref() + "': architecture differs from '" + donor.ref()
                        + "' (n_embd " + c.nEmbd() + " vs " + d.nEmbd() + ", n_head " + c.nHead() + " vs " + d.nHead()
                        + ", n_inner " + c.nInner() + " vs " + d.nInner() + ", n_positions " + c.nPositions() + " vs "
                        + d.nPositions() + ")");
            }
        }
    }

    private static TensorInfo find(ModelInput m, String canonical) {
        return m.dir().tensorByCanonicalName(canonical).orElseThrow(() -> new MergeException("model '" + m.ref()
                + "': tensor '" + hf(canonical) + "' required but not present in " + m.dir().path()));
    }

    static boolean hasScore(ModelInput m) {
        return m.dir().tensorByCanonicalName(Gpt2TensorNames.SCORE).isPresent();
    }

    private static List<String> labels(ModelInput m) {
        return m.dir().config().labelList();
    }

    private static String headName(String ref, Set<String> used) {
        String base = Path.of(ref).getFileName().toString().replaceAll("[^A-Za-z0-9._-]", "_");
        String name = base;
        for (int i = 2; !used.add(name); i++) {
            name = base + "-" + i;
        }
        return name;
    }

    /** The name mergekit's architecture definition uses (transformer.-prefixed backbone). */
    static String hf(String canonical) {
        return Gpt2TensorNames.hfName(canonical, LM);
    }

    /**
     * out_dtype, else dtype, else what mergekit writes when neither is set: each tensor in the dtype it was computed in,
     * the promoted dtype of its inputs. mergelab writes one dtype: the promotion over every input (the same whenever
     * each model has one dtype and every tensor reads the same models).
     */
    private static DType outDtype(MergeRecipe r, List<PlannedTensor> tensors) {
        Optional<String> d = r.outDtype().or(r::dtype);
        if (d.isPresent()) {
            return Precision.named(d.get()).dtype();
        }
        Set<DType> in = new TreeSet<>();
        tensors.forEach(t -> t.inputs().forEach(i -> in.add(i.info().dtype())));
        return Precision.promoted(in).dtype();
    }

    /** The model card's first note: what the merge computed in (fixed phrases, which tests look for). */
    private static String computationNote(MergeRecipe r, MergeMethod method, List<PlannedTensor> tensors, DType out) {
        Set<Precision> mergekit = new TreeSet<>();
        boolean promoted = false;
        for (PlannedTensor t : tensors) {
            if (!t.copy()) {
                mergekit.add(MergePlan.mergekitPrecision(r, t));
                promoted |= r.dtype().isEmpty() && t.inputs().stream().map(i -> i.info().dtype()).distinct().count() > 1;
            }
        }
        String promotion = promoted ? " (inputs of different dtypes promoted to float32, as mergekit does)" : "";
        List<String> reduced = mergekit.stream().filter(Precision::reduced).map(Precision::label).toList();
        if (reduced.isEmpty()) {
            return "Computation: float32, as mergekit computes it" + promotion + ".";
        }
        String types = String.join(" and ", reduced);
        String once = out == DType.F32 ? "written as float32" : "rounded once to " + Precision.of(out).label();
        if (r.accumulateFloat32()) {
            return "Computation: accumulated in float32, " + once + " (accumulate: float32); mergekit computes in "
                    + types + ", rounding after each operation.";
        }
        if (!method.computesInDtype()) {
            return "Computation: accumulated in float32, " + once + ": mergelab's " + method.name() + " does not "
                    + "compute in " + types + " yet; mergekit does, rounding after each operation, so the last bit can"
                    + " differ.";
        }
        return "Computation: computed in " + types + " as mergekit does (inputs cast to " + types + ", each operation "
                + "rounded where mergekit's torch ops round)" + (mergekit.contains(Precision.FLOAT32)
                ? "; tensors with float32 inputs in float32" + promotion : "") + ".";
    }

    private Path tokenizerDir(MergeRecipe r, ModelInput donor, java.util.Collection<ModelInput> models) {
        String src = r.tokenizerSource().orElse(null);
        if (src == null || src.equals("base")) {
            return donor.dir().path();
        }
        if (src.equals("union")) {
            byte[] first = null;
            for (ModelInput m : models) {
                byte[] tj = m.dir().tokenizerJson().map(MergePlanner::bytes).orElse(new byte[0]);
                if (first == null) {
                    first = tj;
                } else if (!Arrays.equals(first, tj)) {
                    throw new MergeException(r.where() + ": field 'tokenizer_source': union of different tokenizers "
                            + "is not supported (model '" + m.ref() + "' has a different tokenizer.json than '"
                            + donor.ref() + "')");
                }
            }
            return donor.dir().path();
        }
        return resolver.resolve(src, "tokenizer_source").dir().path();
    }

    private static byte[] bytes(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
