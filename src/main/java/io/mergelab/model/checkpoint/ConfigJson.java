package io.mergelab.model.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mergelab.model.checkpoint.Gpt2Config.FieldError;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The JSON side of {@link Gpt2Config}: which keys are typed, and reading and writing them (errors name the key). */
final class ConfigJson {
    private ConfigJson() {
    }

    /** transformers' GPT2Config.attribute_map: each generic name sets the GPT-2 one. */
    static final Map<String, String> ALIASES = Map.of("hidden_size", "n_embd", "max_position_embeddings",
            "n_positions", "num_attention_heads", "n_head", "num_hidden_layers", "n_layer");

    /** Keys held in typed components; num_labels is the size of id2label, as in transformers. */
    static final Set<String> TYPED = Set.of("model_type", "vocab_size", "n_positions", "n_embd", "n_layer", "n_head",
            "hidden_size", "max_position_embeddings", "num_attention_heads", "num_hidden_layers", "n_inner",
            "activation_function", "resid_pdrop", "embd_pdrop", "attn_pdrop", "layer_norm_epsilon",
            "initializer_range", "scale_attn_weights", "scale_attn_by_inverse_layer_idx", "reorder_and_upcast_attn",
            "bos_token_id", "eos_token_id", "pad_token_id", "architectures", "id2label", "label2id", "num_labels",
            "problem_type", "dtype", "torch_dtype", "transformers_version");

    /** Absent keys get transformers' defaults (except the sizes, which are required); see {@link Gpt2Config}. */
    static Gpt2Config read(ObjectNode root) {
        JsonNode mt = root.get("model_type");
        if (mt != null && !(mt.isTextual() && mt.textValue().equals("gpt2"))) {
            throw new FieldError("model_type", "is " + mt + ", only \"gpt2\" is supported");
        }
        Map<Integer, String> id2label = id2label(root);
        Map<String, JsonNode> other = new LinkedHashMap<>();
        List<String> keyOrder = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : root.properties()) {
            keyOrder.add(e.getKey());
            if (!TYPED.contains(e.getKey())) {
                other.put(e.getKey(), e.getValue());
            }
        }
        String activation = string(root, "activation_function", Gpt2Config.DEFAULT_ACTIVATION);
        if (activation == null) {
            throw new FieldError("activation_function", "must be a string, got null");
        }
        return new Gpt2Config(size(root, "vocab_size", null), size(root, "n_positions", "max_position_embeddings"),
                size(root, "n_embd", "hidden_size"), size(root, "n_layer", "num_hidden_layers"),
                size(root, "n_head", "num_attention_heads"), optInt(root, "n_inner", null), activation,
                number(root, "resid_pdrop", Gpt2Config.DEFAULT_PDROP), number(root, "embd_pdrop", Gpt2Config.DEFAULT_PDROP),
                number(root, "attn_pdrop", Gpt2Config.DEFAULT_PDROP),
                number(root, "layer_norm_epsilon", Gpt2Config.DEFAULT_LAYER_NORM_EPSILON),
                number(root, "initializer_range", Gpt2Config.DEFAULT_INITIALIZER_RANGE),
                bool(root, "scale_attn_weights", true), bool(root, "scale_attn_by_inverse_layer_idx", false),
                bool(root, "reorder_and_upcast_attn", false), optInt(root, "bos_token_id", Gpt2Config.GPT2_EOS),
                optInt(root, "eos_token_id", Gpt2Config.GPT2_EOS), optInt(root, "pad_token_id", null),
                architectures(root), id2label, label2id(root, id2label), string(root, "problem_type", null),
                string(root, "dtype", null), string(root, "torch_dtype", null),
                string(root, "transformers_version", null), other, keyOrder);
    }

    /** The keys of {@link Gpt2Config#keyOrder()}, in that order. */
    static ObjectNode write(Gpt2Config c) {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        Map<String, JsonNode> other = c.other();
        for (String key : c.keyOrder()) {
            root.set(key, TYPED.contains(key) ? node(c, ALIASES.getOrDefault(key, key)) : other.get(key));
        }
        return root;
    }

    private static JsonNode node(Gpt2Config c, String key) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        return switch (key) {
            case "model_type" -> f.textNode("gpt2");
            case "vocab_size" -> f.numberNode(c.vocabSize());
            case "n_positions" -> f.numberNode(c.nPositions());
            case "n_embd" -> f.numberNode(c.nEmbd());
            case "n_layer" -> f.numberNode(c.nLayer());
            case "n_head" -> f.numberNode(c.nHead());
            case "n_inner" -> f.numberNode(c.nInnerRaw());
            case "activation_function" -> f.textNode(c.activationFunction());
            case "resid_pdrop" -> f.numberNode(c.residPdrop());
            case "embd_pdrop" -> f.numberNode(c.embdPdrop());
            case "attn_pdrop" -> f.numberNode(c.attnPdrop());
            case "layer_norm_epsilon" -> f.numberNode(c.layerNormEpsilon());
            case "initializer_range" -> f.numberNode(c.initializerRange());
            case "scale_attn_weights" -> f.booleanNode(c.scaleAttnWeights());
            case "scale_attn_by_inverse_layer_idx" -> f.booleanNode(c.scaleAttnByInverseLayerIdx());
            case "reorder_and_upcast_attn" -> f.booleanNode(c.reorderAndUpcastAttn());
            case "bos_token_id" -> f.numberNode(c.bosTokenId());
            case "eos_token_id" -> f.numberNode(c.eosTokenId());
            case "pad_token_id" -> f.numberNode(c.padTokenId());
            case "architectures" -> {
                ArrayNode a = f.arrayNode();
                c.architectures().forEach(a::add);
                yield c.architectures().isEmpty() ? f.nullNode() : a; // transformers' default is None
            }
            case "id2label" -> {
                ObjectNode o = f.objectNode();
                c.id2label().forEach((id, l) -> o.put(Integer.toString(id), l)); // JSON keys are strings
                yield o;
            }
            case "label2id" -> {
                ObjectNode o = f.objectNode();
                c.label2id().forEach(o::put);
                yield o;
            }
            case "num_labels" -> f.numberNode(c.numLabels());
            case "problem_type" -> text(c.problemType());
            case "dtype" -> text(c.dtype());
            case "torch_dtype" -> text(c.torchDtype());
            case "transformers_version" -> text(c.transformersVersion());
            default -> throw new IllegalStateException("untyped key " + key);
        };
    }

    private static JsonNode text(String s) {
        return s == null ? JsonNodeFactory.instance.nullNode() : JsonNodeFactory.instance.textNode(s);
    }

    /** Adds the keys {@code order} lacks, each before the first key that sorts after it. */
    static List<String> addKeys(List<String> order, String... keys) {
        for (String k : keys) {
            if (!order.contains(k)) {
                int i = 0;
                while (i < order.size() && order.get(i).compareTo(k) < 0) {
                    i++;
                }
                order.add(i, k);
            }
        }
        return order;
    }

    /** A required size, under its GPT-2 name or its generic alias (both only when they agree). */
    private static int size(ObjectNode root, String key, String alias) {
        Integer v = optInt(root, key, null);
        Integer a = alias == null ? null : optInt(root, alias, null);
        if (v != null && a != null && !v.equals(a)) {
            // transformers would silently take the alias; two sizes mean a broken file.
            throw new FieldError(alias, a + " disagrees with " + key + " " + v);
        }
        if (v == null && a == null) {
            throw new FieldError(key, "is required");
        }
        return v != null ? v : a;
    }

    /** As transformers: id2label wins; else num_labels generic labels; else two. */
    private static Map<Integer, String> id2label(ObjectNode root) {
        Integer numLabels = optInt(root, "num_labels", null);
        JsonNode i2l = root.get("id2label");
        if (i2l == null || i2l.isNull()) {
            if (numLabels != null && numLabels <= 0) {
                throw new FieldError("num_labels", "must be positive, got " + numLabels);
            }
            return Gpt2Config.genericLabels(numLabels != null ? numLabels : 2);
        }
        if (!i2l.isObject()) {
            throw new FieldError("id2label", "must be an object {\"0\": \"label\", ...}");
        }
        Map<Integer, String> m = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : i2l.properties()) {
            int id;
            try {
                id = Integer.parseInt(e.getKey());
            } catch (NumberFormatException ex) {
                throw new FieldError("id2label", "key '" + e.getKey() + "' is not an integer id");
            }
            if (!e.getValue().isTextual()) {
                throw new FieldError("id2label." + e.getKey(), "label must be a string");
            }
            m.put(id, e.getValue().textValue());
        }
        if (numLabels != null && numLabels != m.size()) {
            throw new FieldError("num_labels", numLabels + " disagrees with the " + m.size() + " entries of id2label");
        }
        return m;
    }

    /** label2id as written, else id2label inverted. */
    private static Map<String, Integer> label2id(ObjectNode root, Map<Integer, String> id2label) {
        JsonNode l2i = root.get("label2id");
        if (l2i == null || l2i.isNull()) {
            return Gpt2Config.inverse(id2label);
        }
        if (!l2i.isObject()) {
            throw new FieldError("label2id", "must be an object {\"label\": 0, ...}");
        }
        Map<String, Integer> m = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : l2i.properties()) {
            JsonNode v = e.getValue();
            if (!v.isIntegralNumber() || !v.canConvertToInt()) {
                throw new FieldError("label2id." + e.getKey(), "id must be an integer, got " + v);
            }
            m.put(e.getKey(), v.intValue());
        }
        return m;
    }

    private static List<String> architectures(ObjectNode root) {
        JsonNode a = root.get("architectures");
        if (a == null || a.isNull()) {
            return List.of();
        }
        if (!a.isArray()) {
            throw new FieldError("architectures", "must be a list of class names");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode n : a) {
            if (!n.isTextual()) {
                throw new FieldError("architectures", "entries must be strings, got " + n);
            }
            out.add(n.textValue());
        }
        return out;
    }

    /** {@code dflt} when absent, null when JSON null (the nullable ints: n_inner, token ids). */
    private static Integer optInt(ObjectNode root, String key, Integer dflt) {
        JsonNode n = root.get(key);
        if (n == null || n.isNull()) {
            return n == null ? dflt : null;
        }
        if (!n.isIntegralNumber() || !n.canConvertToInt()) {
            throw new FieldError(key, "must be an integer, got " + n);
        }
        return n.intValue();
    }

    // transformers' strict dataclass rejects null for these, so we do too.
    private static double number(ObjectNode root, String key, double dflt) {
        JsonNode n = root.get(key);
        if (n != null && !n.isNumber()) {
            throw new FieldError(key, "must be a number, got " + n);
        }
        return n == null ? dflt : n.doubleValue();
    }

    private static boolean bool(ObjectNode root, String key, boolean dflt) {
        JsonNode n = root.get(key);
        if (n != null && !n.isBoolean()) {
            throw new FieldError(key, "must be true or false, got " + n);
        }
        return n == null ? dflt : n.booleanValue();
    }

    /** {@code dflt} when absent; null when JSON null. */
    private static String string(ObjectNode root, String key, String dflt) {
        JsonNode n = root.get(key);
        if (n == null || n.isNull()) {
            return n == null ? dflt : null;
        }
        if (!n.isTextual()) {
            throw new FieldError(key, "must be a string, got " + n);
        }
        return n.textValue();
    }
}
