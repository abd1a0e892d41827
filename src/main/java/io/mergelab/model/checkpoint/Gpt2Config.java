package io.mergelab.model.checkpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A Hugging Face GPT-2 {@code config.json}, immutable. The keys of transformers' GPT2Config and PreTrainedConfig
 * that mergelab reads are typed components (named as JSON in {@link ConfigJson}); every other key is kept verbatim in
 * {@code other}, and {@code keyOrder} lists the top-level keys {@link #toJson()} writes, in order. A config read from
 * a file keeps that file's keys and their order, so read → write gives its content back; a typed key the file lacks
 * holds transformers' default and stays unwritten. With-ers are plain copies that also add the key they set when it
 * was absent, at its sorted place (where transformers' {@code sort_keys=True} puts it).
 *
 * <p>{@code equals} compares content: maps (labels, {@code other}, nested JSON) compare without their key order.
 *
 * @param nInnerRaw n_inner as written: null means 4 * n_embd ({@link #nInner()})
 * @param id2label in file order; ids are 0..n-1 ({@link #labelList()} is in id order)
 * @param dtype transformers 5's name for the weights' dtype; see {@link #weightsDtype()}
 * @param torchDtype the name older transformers and mergekit read
 * @param other every untyped top-level key, in file order
 * @param keyOrder the top-level keys written, each once: typed ones (or an alias) and all of {@code other}
 */
public record Gpt2Config(
        int vocabSize,
        int nPositions,
        int nEmbd,
        int nLayer,
        int nHead,
        Integer nInnerRaw,
        String activationFunction,
        double residPdrop,
        double embdPdrop,
        double attnPdrop,
        double layerNormEpsilon,
        double initializerRange,
        boolean scaleAttnWeights,
        boolean scaleAttnByInverseLayerIdx,
        boolean reorderAndUpcastAttn,
        Integer bosTokenId,
        Integer eosTokenId,
        Integer padTokenId,
        List<String> architectures,
        Map<Integer, String> id2label,
        Map<String, Integer> label2id,
        String problemType,
        String dtype,
        String torchDtype,
        String transformersVersion,
        Map<String, JsonNode> other,
        List<String> keyOrder) {

    public static final String FILE_NAME = "config.json";
    public static final int GPT2_EOS = 50256;

    // transformers' GPT2Config defaults, for keys a file may leave out.
    static final String DEFAULT_ACTIVATION = "gelu_new";
    static final double DEFAULT_PDROP = 0.1;
    static final double DEFAULT_LAYER_NORM_EPSILON = 1e-5;
    static final double DEFAULT_INITIALIZER_RANGE = 0.02;

    private static final Set<String> PROBLEM_TYPES = Set.of("regression", "single_label_classification",
            "multi_label_classification");

    /** What {@link #of} writes: the keys mergelab has always written for a fresh config (same bytes as before). */
    private static final List<String> OF_KEYS = List.of("activation_function", "architectures", "attn_pdrop",
            "bos_token_id", "embd_pdrop", "eos_token_id", "initializer_range", "layer_norm_epsilon", "model_type",
            "n_embd", "n_head", "n_inner", "n_layer", "n_positions", "reorder_and_upcast_attn", "resid_pdrop",
            "scale_attn_by_inverse_layer_idx", "scale_attn_weights", "summary_first_dropout", "vocab_size");

    public Gpt2Config {
        positive("vocab_size", vocabSize);
        positive("n_positions", nPositions);
        positive("n_embd", nEmbd);
        positive("n_layer", nLayer);
        positive("n_head", nHead);
        if (nInnerRaw != null) {
            positive("n_inner", nInnerRaw);
        }
        if (nEmbd % nHead != 0) {
            throw new FieldError("n_head", "n_embd " + nEmbd + " is not divisible by n_head " + nHead);
        }
        Objects.requireNonNull(activationFunction, "activation_function");
        if (!(layerNormEpsilon > 0)) {
            throw new FieldError("layer_norm_epsilon", "must be positive, got " + layerNormEpsilon);
        }
        probability("resid_pdrop", residPdrop);
        probability("embd_pdrop", embdPdrop);
        probability("attn_pdrop", attnPdrop);
        architectures = List.copyOf(architectures);
        for (String a : architectures) {
            if (!Gpt2TensorNames.ARCHITECTURES.contains(a)) {
                throw new FieldError("architectures", "'" + a + "' is not a GPT-2 model class (expected one of "
                        + new TreeSet<>(Gpt2TensorNames.ARCHITECTURES) + ")");
            }
        }
        id2label = Collections.unmodifiableMap(new LinkedHashMap<>(id2label));
        label2id = Collections.unmodifiableMap(new LinkedHashMap<>(label2id));
        checkLabels(id2label, label2id, problemType);
        Map<String, JsonNode> o = new LinkedHashMap<>();
        other.forEach((k, v) -> o.put(k, v.deepCopy())); // JsonNode is mutable
        other = Collections.unmodifiableMap(o);
        keyOrder = List.copyOf(keyOrder);
        checkKeyOrder(keyOrder, other);
    }

    /** A fresh config with transformers' GPT2Config defaults for everything but the sizes, as a GPT2LMHeadModel. */
    public static Gpt2Config of(int vocab, int positions, int embd, int layers, int heads) {
        Map<Integer, String> labels = genericLabels(2);
        return new Gpt2Config(vocab, positions, embd, layers, heads, null, DEFAULT_ACTIVATION, DEFAULT_PDROP,
                DEFAULT_PDROP, DEFAULT_PDROP, DEFAULT_LAYER_NORM_EPSILON, DEFAULT_INITIALIZER_RANGE, true, false,
                false, GPT2_EOS, GPT2_EOS, null, List.of(Gpt2TensorNames.GPT2_LM_HEAD_MODEL), labels,
                inverse(labels), null, null, null, null,
                Map.of("summary_first_dropout", JsonNodeFactory.instance.numberNode(DEFAULT_PDROP)), OF_KEYS);
    }

    /** Parses and validates; problems are a {@link CheckpointFormatException} naming the file and the key. */
    public static Gpt2Config read(Path configJson) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(Files.readAllBytes(configJson));
        } catch (NoSuchFileException e) {
            throw new CheckpointFormatException(configJson, "file does not exist");
        } catch (JsonProcessingException e) {
            throw new CheckpointFormatException(configJson, null, "not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + configJson, e);
        }
        if (root == null || !root.isObject()) {
            throw new CheckpointFormatException(configJson, "must be a JSON object");
        }
        return fromJson((ObjectNode) root, configJson);
    }

    /**
     * @param source named in error messages (a {@link CheckpointFormatException}); null: an
     *     {@link IllegalArgumentException} naming the key
     */
    public static Gpt2Config fromJson(ObjectNode root, Path source) {
        try {
            return ConfigJson.read(root);
        } catch (FieldError e) {
            if (source == null) {
                throw e;
            }
            throw CheckpointFormatException.field(source, e.field, e.reason);
        }
    }

    /** n_inner, or 4 * n_embd when the JSON has null or none (as GPT2MLP does). */
    public int nInner() {
        return nInnerRaw != null ? nInnerRaw : 4 * nEmbd;
    }

    public int headDim() {
        return nEmbd / nHead;
    }

    /** First listed architecture; GPT2LMHeadModel when none is listed (the common save format). */
    public String primaryArchitecture() {
        return architectures.isEmpty() ? Gpt2TensorNames.GPT2_LM_HEAD_MODEL : architectures.get(0);
    }

    public int numLabels() {
        return id2label.size();
    }

    /** Labels in id order. */
    public List<String> labelList() {
        return new ArrayList<>(new TreeMap<>(id2label).values());
    }

    /** The weights' dtype as transformers 5 resolves it: {@code dtype}, else the legacy {@code torch_dtype}. */
    public Optional<String> weightsDtype() {
        return Optional.ofNullable(dtype != null ? dtype : torchDtype);
    }

    /** Copies, since JsonNode is mutable. */
    @Override
    public Map<String, JsonNode> other() {
        Map<String, JsonNode> copy = new LinkedHashMap<>();
        other.forEach((k, v) -> copy.put(k, v.deepCopy()));
        return copy;
    }

    public Gpt2Config withNLayer(int layers) {
        return new Gpt2Config(vocabSize, nPositions, nEmbd, layers, nHead, nInnerRaw, activationFunction, residPdrop,
                embdPdrop, attnPdrop, layerNormEpsilon, initializerRange, scaleAttnWeights, scaleAttnByInverseLayerIdx,
                reorderAndUpcastAttn, bosTokenId, eosTokenId, padTokenId, architectures, id2label, label2id,
                problemType, dtype, torchDtype, transformersVersion, other, keyOrder);
    }

    /** The dropout probabilities; a null one stays as it is. */
    public Gpt2Config withDropout(Double resid, Double embd, Double attn) {
        List<String> keys = new ArrayList<>(keyOrder);
        if (resid != null) {
            ConfigJson.addKeys(keys, "resid_pdrop");
        }
        if (embd != null) {
            ConfigJson.addKeys(keys, "embd_pdrop");
        }
        if (attn != null) {
            ConfigJson.addKeys(keys, "attn_pdrop");
        }
        return new Gpt2Config(vocabSize, nPositions, nEmbd, nLayer, nHead, nInnerRaw, activationFunction,
                resid != null ? resid : residPdrop, embd != null ? embd : embdPdrop, attn != null ? attn : attnPdrop,
                layerNormEpsilon, initializerRange, scaleAttnWeights, scaleAttnByInverseLayerIdx, reorderAndUpcastAttn,
                bosTokenId, eosTokenId, padTokenId, architectures, id2label, label2id, problemType, dtype, torchDtype,
                transformersVersion, other, keys);
    }

    /**
     * Config for GPT2ForSequenceClassification with these labels (ids in list order). Both label maps are written
     * (transformers reads no label2id when id2label is given) unless they are transformers' default, LABEL_0 and
     * LABEL_1, which its save leaves out.
     */
    public Gpt2Config withClassification(List<String> labels, int padId) {
        if (labels.isEmpty()) {
            throw new IllegalArgumentException("need at least one label");
        }
        Map<Integer, String> i2l = new LinkedHashMap<>();
        for (int i = 0; i < labels.size(); i++) {
            i2l.put(i, Objects.requireNonNull(labels.get(i), "label " + i));
        }
        if (new HashSet<>(labels).size() != labels.size()) {
            throw new IllegalArgumentException("duplicate label in " + labels);
        }
        List<String> keys = ConfigJson.addKeys(new ArrayList<>(keyOrder), "architectures", "pad_token_id");
        if (i2l.equals(genericLabels(2))) {
            keys.removeAll(List.of("id2label", "label2id"));
        } else {
            ConfigJson.addKeys(keys, "id2label", "label2id");
        }
        return new Gpt2Config(vocabSize, nPositions, nEmbd, nLayer, nHead, nInnerRaw, activationFunction, residPdrop,
                embdPdrop, attnPdrop, layerNormEpsilon, initializerRange, scaleAttnWeights, scaleAttnByInverseLayerIdx,
                reorderAndUpcastAttn, bosTokenId, eosTokenId, padId,
                List.of(Gpt2TensorNames.GPT2_FOR_SEQUENCE_CLASSIFICATION), i2l, new TreeMap<>(inverse(i2l)),
                problemType, dtype, torchDtype, transformersVersion, other, keys);
    }

    public Gpt2Config withArchitecture(String architecture) {
        return new Gpt2Config(vocabSize, nPositions, nEmbd, nLayer, nHead, nInnerRaw, activationFunction, residPdrop,
                embdPdrop, attnPdrop, layerNormEpsilon, initializerRange, scaleAttnWeights, scaleAttnByInverseLayerIdx,
                reorderAndUpcastAttn, bosTokenId, eosTokenId, padTokenId, List.of(architecture), id2label, label2id,
                problemType, dtype, torchDtype, transformersVersion, other,
                ConfigJson.addKeys(new ArrayList<>(keyOrder), "architectures"));
    }

    /**
     * The weights' dtype as torch names it ({@code float32}, {@code float16}, {@code bfloat16}). transformers 5
     * reads {@code dtype} and older versions and mergekit {@code torch_dtype}: both are written so neither
     * loads a merged float32 model as the donor's half precision, or the reverse.
     */
    public Gpt2Config withTorchDtype(String torchDtypeName) {
        return new Gpt2Config(vocabSize, nPositions, nEmbd, nLayer, nHead, nInnerRaw, activationFunction, residPdrop,
                embdPdrop, attnPdrop, layerNormEpsilon, initializerRange, scaleAttnWeights, scaleAttnByInverseLayerIdx,
                reorderAndUpcastAttn, bosTokenId, eosTokenId, padTokenId, architectures, id2label, label2id,
                problemType, torchDtypeName, torchDtypeName, transformersVersion, other,
                ConfigJson.addKeys(new ArrayList<>(keyOrder), "dtype", "torch_dtype"));
    }

    public Gpt2Config withPadTokenId(Integer id) {
        return new Gpt2Config(vocabSize, nPositions, nEmbd, nLayer, nHead, nInnerRaw, activationFunction, residPdrop,
                embdPdrop, attnPdrop, layerNormEpsilon, initializerRange, scaleAttnWeights, scaleAttnByInverseLayerIdx,
                reorderAndUpcastAttn, bosTokenId, eosTokenId, id, architectures, id2label, label2id, problemType,
                dtype, torchDtype, transformersVersion, other,
                ConfigJson.addKeys(new ArrayList<>(keyOrder), "pad_token_id"));
    }

    /** Pretty JSON in {@link #keyOrder()}, laid out as Python's json.dumps(indent=2). */
    public String toJson() {
        return Json.pretty(toJsonTree());
    }

    public ObjectNode toJsonTree() {
        return ConfigJson.write(this);
    }

    /** Atomic write (temp file + rename). */
    public void write(Path file) throws IOException {
        AtomicFiles.writeString(file, toJson());
    }

    @Override
    public String toString() {
        return "Gpt2Config[vocab=" + vocabSize + ", positions=" + nPositions + ", embd=" + nEmbd + ", layers=" + nLayer
                + ", heads=" + nHead + ", inner=" + nInner() + ", architectures=" + architectures + ", labels="
                + numLabels() + "]";
    }

    static Map<Integer, String> genericLabels(int n) {
        Map<Integer, String> m = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            m.put(i, "LABEL_" + i);
        }
        return m;
    }

    /** label → id in id order. */
    static Map<String, Integer> inverse(Map<Integer, String> id2label) {
        Map<String, Integer> m = new LinkedHashMap<>();
        new TreeMap<>(id2label).forEach((id, l) -> m.put(l, id));
        return m;
    }

    private static void positive(String key, int v) {
        if (v <= 0) {
            throw new FieldError(key, "must be a positive integer, got " + v);
        }
    }

    private static void probability(String key, double v) {
        if (!(v >= 0 && v <= 1)) {
            throw new FieldError(key, "must be in [0, 1], got " + v);
        }
    }

    // Score head rows are indexed by id, so ids must be 0..n-1; problem_type as transformers checks it.
    private static void checkLabels(Map<Integer, String> id2label, Map<String, Integer> label2id, String problemType) {
        if (id2label.isEmpty()) {
            throw new FieldError("id2label", "needs at least one label");
        }
        Set<Integer> ids = new TreeSet<>(id2label.keySet());
        int expect = 0;
        for (int id : ids) {
            if (id != expect++) {
                throw new FieldError("id2label", "ids must be 0.." + (ids.size() - 1) + ", got " + ids);
            }
        }
        id2label.forEach((id, l) -> Objects.requireNonNull(l, "id2label " + id));
        label2id.forEach((l, id) -> Objects.requireNonNull(id, "label2id " + l));
        if (problemType != null && !PROBLEM_TYPES.contains(problemType)) {
            throw new FieldError("problem_type", "'" + problemType + "' is not one of " + new TreeSet<>(PROBLEM_TYPES));
        }
        if ("single_label_classification".equals(problemType) && id2label.size() == 1) {
            throw new FieldError("problem_type", "single_label_classification needs at least 2 labels; use "
                    + "regression for a single output");
        }
    }

    private static void checkKeyOrder(List<String> keyOrder, Map<String, JsonNode> other) {
        Set<String> seen = new HashSet<>();
        for (String k : keyOrder) {
            if (!seen.add(k)) {
                throw new IllegalArgumentException("keyOrder lists '" + k + "' twice");
            }
            if (!ConfigJson.TYPED.contains(k) && !other.containsKey(k)) {
                throw new IllegalArgumentException("keyOrder lists '" + k + "', which has no value");
            }
        }
        for (String k : other.keySet()) {
            if (ConfigJson.TYPED.contains(k)) {
                throw new IllegalArgumentException("'" + k + "' is typed, so it cannot be in other");
            }
            if (!seen.contains(k)) {
                throw new IllegalArgumentException("other has '" + k + "', which keyOrder does not list");
            }
        }
        ConfigJson.ALIASES.forEach((alias, key) -> {
            if (!seen.contains(key) && !seen.contains(alias)) {
                throw new FieldError(key, "is required");
            }
        });
        if (!seen.contains("vocab_size")) {
            throw new FieldError("vocab_size", "is required");
        }
    }

    /** A bad value for a config.json key; {@link #read} turns it into a {@link CheckpointFormatException}. */
    static final class FieldError extends IllegalArgumentException {
        final String field;
        final String reason;

        FieldError(String field, String reason) {
            super("GPT-2 config field '" + field + "': " + reason);
            this.field = field;
            this.reason = reason;
        }
    }
}
