package io.mergelab.model.checkpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Immutable Hugging Face GPT-2 {@code config.json}. Fields we use are typed; every other key is kept
 * verbatim so that {@link #toJson()} round-trips configs written by any transformers version.
 */
public final class Gpt2Config {
    public static final String FILE_NAME = "config.json";
    public static final int GPT2_EOS = 50256;

    private static final Set<String> KNOWN = Set.of("model_type", "vocab_size", "n_positions", "n_embd", "n_layer",
            "n_head", "n_inner", "layer_norm_epsilon", "initializer_range", "activation_function", "architectures",
            "num_labels", "id2label", "label2id", "pad_token_id", "bos_token_id", "eos_token_id", "resid_pdrop",
            "embd_pdrop", "attn_pdrop", "summary_first_dropout", "scale_attn_weights",
            "scale_attn_by_inverse_layer_idx", "reorder_and_upcast_attn");

    private final int vocabSize;
    private final int nPositions;
    private final int nEmbd;
    private final int nLayer;
    private final int nHead;
    private final Integer nInnerRaw; // null means 4 * n_embd; kept null so it writes back as null
    private final double layerNormEpsilon;
    private final double initializerRange;
    private final String activationFunction;
    private final List<String> architectures;
    private final Map<Integer, String> id2label;
    private final Map<String, Integer> label2id;
    private final Integer padTokenId;
    private final Integer bosTokenId;
    private final Integer eosTokenId;
    private final double residPdrop;
    private final double embdPdrop;
    private final double attnPdrop;
    private final double summaryFirstDropout;
    private final boolean scaleAttnWeights;
    private final boolean scaleAttnByInverseLayerIdx;
    private final boolean reorderAndUpcastAttn;
    private final Map<String, JsonNode> extras;

    private Gpt2Config(Builder b, Path file) {
        vocabSize = b.vocabSize;
        nPositions = b.nPositions;
        nEmbd = b.nEmbd;
        nLayer = b.nLayer;
        nHead = b.nHead;
        nInnerRaw = b.nInner;
        layerNormEpsilon = b.layerNormEpsilon;
        initializerRange = b.initializerRange;
        activationFunction = b.activationFunction;
        architectures = List.copyOf(b.architectures);
        id2label = Collections.unmodifiableMap(new TreeMap<>(b.id2label));
        label2id = Collections.unmodifiableMap(new LinkedHashMap<>(b.label2id));
        padTokenId = b.padTokenId;
        bosTokenId = b.bosTokenId;
        eosTokenId = b.eosTokenId;
        residPdrop = b.residPdrop;
        embdPdrop = b.embdPdrop;
        attnPdrop = b.attnPdrop;
        summaryFirstDropout = b.summaryFirstDropout;
        scaleAttnWeights = b.scaleAttnWeights;
        scaleAttnByInverseLayerIdx = b.scaleAttnByInverseLayerIdx;
        reorderAndUpcastAttn = b.reorderAndUpcastAttn;
        Map<String, JsonNode> ex = new TreeMap<>();
        b.extras.forEach((k, v) -> ex.put(k, v.deepCopy()));
        extras = Collections.unmodifiableMap(ex);
        validate(file);
    }

    /** A fresh config with transformers' GPT2Config defaults for everything but the sizes. */
    public static Gpt2Config of(int vocab, int positions, int embd, int layers, int heads) {
        Builder b = new Builder();
        b.vocabSize = vocab;
        b.nPositions = positions;
        b.nEmbd = embd;
        b.nLayer = layers;
        b.nHead = heads;
        b.architectures = List.of(Gpt2TensorNames.GPT2_LM_HEAD_MODEL);
        return new Gpt2Config(b, null);
    }

    /** Parses and validates; problems are a {@link CheckpointFormatException} naming file and field. */
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

    /** @param source named in error messages; may be null */
    public static Gpt2Config fromJson(ObjectNode root, Path source) {
        return new Gpt2Config(ConfigJson.parse(root, source, new Builder()), source);
    }

    public int vocabSize() {
        return vocabSize;
    }

    public int nPositions() {
        return nPositions;
    }

    public int nEmbd() {
        return nEmbd;
    }

    public int nLayer() {
        return nLayer;
    }

    public int nHead() {
        return nHead;
    }

    /** n_inner, or 4 * n_embd when the JSON has null (as GPT2MLP does). */
    public int nInner() {
        return nInnerRaw != null ? nInnerRaw : 4 * nEmbd;
    }

    public int headDim() {
        return nEmbd / nHead;
    }

    public double layerNormEpsilon() {
        return layerNormEpsilon;
    }

    public double initializerRange() {
        return initializerRange;
    }

    public String activationFunction() {
        return activationFunction;
    }

    public List<String> architectures() {
        return architectures;
    }

    /** First listed architecture; GPT2LMHeadModel when none is listed (the common save format). */
    public String primaryArchitecture() {
        return architectures.isEmpty() ? Gpt2TensorNames.GPT2_LM_HEAD_MODEL : architectures.get(0);
    }

    public int numLabels() {
        return id2label.size();
    }

    public Map<Integer, String> id2label() {
        return id2label;
    }

    public Map<String, Integer> label2id() {
        return label2id;
    }

    /** Labels in id order. */
    public List<String> labelList() {
        return new ArrayList<>(id2label.values());
    }

    public Integer padTokenId() {
        return padTokenId;
    }

    public Integer bosTokenId() {
        return bosTokenId;
    }

    public Integer eosTokenId() {
        return eosTokenId;
    }

    public double residPdrop() {
        return residPdrop;
    }

    public double embdPdrop() {
        return embdPdrop;
    }

    public double attnPdrop() {
        return attnPdrop;
    }

    public double summaryFirstDropout() {
        return summaryFirstDropout;
    }

    /** Divide attention scores by sqrt(head_dim) (default true). */
    public boolean scaleAttnWeights() {
        return scaleAttnWeights;
    }

    /** Additionally divide by (layer_idx + 1) (default false). */
    public boolean scaleAttnByInverseLayerIdx() {
        return scaleAttnByInverseLayerIdx;
    }

    /** Mixed-precision trick only; no effect on float32 maths (default false). */
    public boolean reorderAndUpcastAttn() {
        return reorderAndUpcastAttn;
    }

    /** A copy of an untyped key (e.g. "torch_dtype"), if present. */
    public Optional<JsonNode> extra(String key) {
        return Optional.ofNullable(extras.get(key)).map(JsonNode::deepCopy);
    }

    public Set<String> extraKeys() {
        return extras.keySet();
    }

    /** Config for GPT2ForSequenceClassification with these labels (ids in list order). */
    public Gpt2Config withClassification(List<String> labels, int padTokenId) {
        if (labels.isEmpty()) {
            throw new IllegalArgumentException("need at least one label");
        }
        Builder b = toBuilder();
        b.id2label = new TreeMap<>();
        b.label2id = new LinkedHashMap<>();
        for (int i = 0; i < labels.size(); i++) {
            String l = Objects.requireNonNull(labels.get(i), "label " + i);
            if (b.label2id.put(l, i) != null) {
                throw new IllegalArgumentException("duplicate label '" + l + "'");
            }
            b.id2label.put(i, l);
        }
        b.architectures = List.of(Gpt2TensorNames.GPT2_FOR_SEQUENCE_CLASSIFICATION);
        b.padTokenId = padTokenId;
        return new Gpt2Config(b, null);
    }

    public Gpt2Config withArchitecture(String architecture) {
        Builder b = toBuilder();
        b.architectures = List.of(architecture);
        return new Gpt2Config(b, null);
    }

    /**
     * The weights' dtype as torch names it ({@code float32}, {@code float16}, {@code bfloat16}). transformers 5
     * reads {@code dtype} and older versions and mergekit {@code torch_dtype}: both are written so neither
     * loads a merged float32 model as the donor's half precision, or the reverse.
     */
    public Gpt2Config withTorchDtype(String torchDtype) {
        Builder b = toBuilder();
        Map<String, JsonNode> ex = new LinkedHashMap<>(b.extras);
        ex.put("torch_dtype", JsonNodeFactory.instance.textNode(torchDtype));
        ex.put("dtype", JsonNodeFactory.instance.textNode(torchDtype));
        b.extras = ex;
        return new Gpt2Config(b, null);
    }

    public Gpt2Config withPadTokenId(Integer id) {
        Builder b = toBuilder();
        b.padTokenId = id;
        return new Gpt2Config(b, null);
    }

    /** Pretty JSON with sorted keys, as transformers' save_pretrained writes it. */
    public String toJson() {
        return Json.pretty(toJsonTree());
    }

    public ObjectNode toJsonTree() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        Map<String, JsonNode> all = new TreeMap<>(extras);
        all.put("model_type", f.textNode("gpt2"));
        all.put("vocab_size", f.numberNode(vocabSize));
        all.put("n_positions", f.numberNode(nPositions));
        all.put("n_embd", f.numberNode(nEmbd));
        all.put("n_layer", f.numberNode(nLayer));
        all.put("n_head", f.numberNode(nHead));
        all.put("n_inner", nInnerRaw == null ? f.nullNode() : f.numberNode(nInnerRaw));
        all.put("layer_norm_epsilon", f.numberNode(layerNormEpsilon));
        all.put("initializer_range", f.numberNode(initializerRange));
        all.put("activation_function", f.textNode(activationFunction));
        if (!architectures.isEmpty()) {
            ArrayNode a = f.arrayNode();
            architectures.forEach(a::add);
            all.put("architectures", a);
        }
        if (!isDefaultLabels()) {
            ObjectNode i2l = f.objectNode();
            id2label.forEach((k, v) -> i2l.put(Integer.toString(k), v)); // JSON keys are strings
            all.put("id2label", i2l);
            ObjectNode l2i = f.objectNode();
            new TreeMap<>(label2id).forEach(l2i::put);
            all.put("label2id", l2i);
        }
        if (padTokenId != null) {
            all.put("pad_token_id", f.numberNode(padTokenId));
        }
        all.put("bos_token_id", bosTokenId == null ? f.nullNode() : f.numberNode(bosTokenId));
        all.put("eos_token_id", eosTokenId == null ? f.nullNode() : f.numberNode(eosTokenId));
        all.put("resid_pdrop", f.numberNode(residPdrop));
        all.put("embd_pdrop", f.numberNode(embdPdrop));
        all.put("attn_pdrop", f.numberNode(attnPdrop));
        all.put("summary_first_dropout", f.numberNode(summaryFirstDropout));
        all.put("scale_attn_weights", f.booleanNode(scaleAttnWeights));
        all.put("scale_attn_by_inverse_layer_idx", f.booleanNode(scaleAttnByInverseLayerIdx));
        all.put("reorder_and_upcast_attn", f.booleanNode(reorderAndUpcastAttn));
        ObjectNode root = f.objectNode();
        all.forEach(root::set);
        return root;
    }

    /** Atomic write (temp file + rename). */
    public void write(Path file) throws IOException {
        AtomicFiles.writeString(file, toJson());
    }

    private boolean isDefaultLabels() {
        return id2label.equals(Map.of(0, "LABEL_0", 1, "LABEL_1"))
                && label2id.equals(Map.of("LABEL_0", 0, "LABEL_1", 1));
    }

    private void validate(Path file) {
        positive(file, "vocab_size", vocabSize);
        positive(file, "n_positions", nPositions);
        positive(file, "n_embd", nEmbd);
        positive(file, "n_layer", nLayer);
        positive(file, "n_head", nHead);
        if (nInnerRaw != null) {
            positive(file, "n_inner", nInnerRaw);
        }
        if (nEmbd % nHead != 0) {
            throw fail(file, "n_head", "n_embd " + nEmbd + " is not divisible by n_head " + nHead);
        }
        for (String a : architectures) {
            if (!Gpt2TensorNames.ARCHITECTURES.contains(a)) {
                throw fail(file, "architectures", "'" + a + "' is not a GPT-2 model class (expected one of "
                        + new TreeSet<>(Gpt2TensorNames.ARCHITECTURES) + ")");
            }
        }
        if (id2label.isEmpty()) {
            throw fail(file, "id2label", "needs at least one label");
        }
        if (!(layerNormEpsilon > 0)) {
            throw fail(file, "layer_norm_epsilon", "must be positive, got " + layerNormEpsilon);
        }
        probability(file, "resid_pdrop", residPdrop);
        probability(file, "embd_pdrop", embdPdrop);
        probability(file, "attn_pdrop", attnPdrop);
        probability(file, "summary_first_dropout", summaryFirstDropout);
    }

    private static void positive(Path file, String field, int v) {
        if (v <= 0) {
            throw fail(file, field, "must be a positive integer, got " + v);
        }
    }

    private static void probability(Path file, String field, double v) {
        if (!(v >= 0 && v <= 1)) {
            throw fail(file, field, "must be in [0, 1], got " + v);
        }
    }

    /** Format error when parsing a file, argument error when built in code. */
    static RuntimeException fail(Path file, String field, String msg) {
        return file != null ? CheckpointFormatException.field(file, field, msg)
                : new IllegalArgumentException("GPT-2 config field '" + field + "': " + msg);
    }

    private Builder toBuilder() {
        Builder b = new Builder();
        b.vocabSize = vocabSize;
        b.nPositions = nPositions;
        b.nEmbd = nEmbd;
        b.nLayer = nLayer;
        b.nHead = nHead;
        b.nInner = nInnerRaw;
        b.layerNormEpsilon = layerNormEpsilon;
        b.initializerRange = initializerRange;
        b.activationFunction = activationFunction;
        b.architectures = architectures;
        b.id2label = id2label;
        b.label2id = label2id;
        b.padTokenId = padTokenId;
        b.bosTokenId = bosTokenId;
        b.eosTokenId = eosTokenId;
        b.residPdrop = residPdrop;
        b.embdPdrop = embdPdrop;
        b.attnPdrop = attnPdrop;
        b.summaryFirstDropout = summaryFirstDropout;
        b.scaleAttnWeights = scaleAttnWeights;
        b.scaleAttnByInverseLayerIdx = scaleAttnByInverseLayerIdx;
        b.reorderAndUpcastAttn = reorderAndUpcastAttn;
        b.extras = extras;
        return b;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Gpt2Config c && toJson().equals(c.toJson());
    }

    @Override
    public int hashCode() {
        return toJson().hashCode();
    }

    @Override
    public String toString() {
        return "Gpt2Config[vocab=" + vocabSize + ", positions=" + nPositions + ", embd=" + nEmbd + ", layers=" + nLayer
                + ", heads=" + nHead + ", inner=" + nInner() + ", architectures=" + architectures + ", labels="
                + numLabels() + "]";
    }

    /** Mutable staging area, holding transformers' GPT2Config defaults; never escapes this package. */
    static final class Builder {
        int vocabSize;
        int nPositions;
        int nEmbd;
        int nLayer;
        int nHead;
        Integer nInner;
        double layerNormEpsilon = 1e-5;
        double initializerRange = 0.02;
        String activationFunction = "gelu_new";
        List<String> architectures = List.of();
        Map<Integer, String> id2label = Map.of(0, "LABEL_0", 1, "LABEL_1");
        Map<String, Integer> label2id = Map.of("LABEL_0", 0, "LABEL_1", 1);
        Integer padTokenId;
        Integer bosTokenId = GPT2_EOS;
        Integer eosTokenId = GPT2_EOS;
        double residPdrop = 0.1;
        double embdPdrop = 0.1;
        double attnPdrop = 0.1;
        double summaryFirstDropout = 0.1;
        boolean scaleAttnWeights = true;
        boolean scaleAttnByInverseLayerIdx;
        boolean reorderAndUpcastAttn;
        Map<String, JsonNode> extras = Map.of();

        static boolean isKnown(String key) {
            return KNOWN.contains(key);
        }
    }
}
