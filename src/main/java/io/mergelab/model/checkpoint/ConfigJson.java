package io.mergelab.model.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Typed field extraction for config.json; every error names the file and the field. */
final class ConfigJson {
    private ConfigJson() {
    }

    static Gpt2Config.Builder parse(ObjectNode root, Path file, Gpt2Config.Builder b) {
        JsonNode mt = root.get("model_type");
        if (mt != null && !(mt.isTextual() && mt.textValue().equals("gpt2"))) {
            throw Gpt2Config.fail(file, "model_type", "is " + mt + ", only \"gpt2\" is supported");
        }
        b.vocabSize = requiredInt(root, file, "vocab_size");
        b.nPositions = requiredInt(root, file, "n_positions");
        b.nEmbd = requiredInt(root, file, "n_embd");
        b.nLayer = requiredInt(root, file, "n_layer");
        b.nHead = requiredInt(root, file, "n_head");
        b.nInner = optInt(root, file, "n_inner", null);
        b.layerNormEpsilon = optDouble(root, file, "layer_norm_epsilon", b.layerNormEpsilon);
        b.initializerRange = optDouble(root, file, "initializer_range", b.initializerRange);
        b.activationFunction = optString(root, file, "activation_function", b.activationFunction);
        b.architectures = architectures(root, file);
        labels(root, file, b);
        b.padTokenId = optInt(root, file, "pad_token_id", null);
        b.bosTokenId = optInt(root, file, "bos_token_id", b.bosTokenId);
        b.eosTokenId = optInt(root, file, "eos_token_id", b.eosTokenId);
        b.residPdrop = optDouble(root, file, "resid_pdrop", b.residPdrop);
        b.embdPdrop = optDouble(root, file, "embd_pdrop", b.embdPdrop);
        b.attnPdrop = optDouble(root, file, "attn_pdrop", b.attnPdrop);
        b.summaryFirstDropout = optDouble(root, file, "summary_first_dropout", b.summaryFirstDropout);
        b.scaleAttnWeights = optBool(root, file, "scale_attn_weights", b.scaleAttnWeights);
        b.scaleAttnByInverseLayerIdx = optBool(root, file, "scale_attn_by_inverse_layer_idx",
                b.scaleAttnByInverseLayerIdx);
        b.reorderAndUpcastAttn = optBool(root, file, "reorder_and_upcast_attn", b.reorderAndUpcastAttn);
        Map<String, JsonNode> extras = new TreeMap<>();
        for (Map.Entry<String, JsonNode> e : root.properties()) {
            if (!Gpt2Config.Builder.isKnown(e.getKey())) {
                extras.put(e.getKey(), e.getValue());
            }
        }
        b.extras = extras;
        return b;
    }

    /** As transformers: id2label wins; else num_labels generic labels; else two. */
    private static void labels(ObjectNode root, Path file, Gpt2Config.Builder b) {
        Integer numLabels = optInt(root, file, "num_labels", null);
        JsonNode i2l = root.get("id2label");
        if (i2l != null && !i2l.isNull()) {
            if (!i2l.isObject()) {
                throw Gpt2Config.fail(file, "id2label", "must be an object {\"0\": \"label\", ...}");
            }
            Map<Integer, String> m = new TreeMap<>();
            for (Map.Entry<String, JsonNode> e : i2l.properties()) {
                int id;
                try {
                    id = Integer.parseInt(e.getKey());
                } catch (NumberFormatException ex) {
                    throw Gpt2Config.fail(file, "id2label", "key '" + e.getKey() + "' is not an integer id");
                }
                if (!e.getValue().isTextual()) {
                    throw Gpt2Config.fail(file, "id2label." + e.getKey(), "label must be a string");
                }
                m.put(id, e.getValue().textValue());
            }
            if (numLabels != null && numLabels != m.size()) {
                throw Gpt2Config.fail(file, "num_labels", numLabels + " disagrees with the " + m.size()
                        + " entries of id2label");
            }
            checkDense(file, m);
            b.id2label = m;
        } else if (numLabels != null) {
            if (numLabels <= 0) {
                throw Gpt2Config.fail(file, "num_labels", "must be positive, got " + numLabels);
            }
            Map<Integer, String> m = new TreeMap<>();
            for (int i = 0; i < numLabels; i++) {
                m.put(i, "LABEL_" + i);
            }
            b.id2label = m;
        }
        JsonNode l2i = root.get("label2id");
        Map<String, Integer> inv = new LinkedHashMap<>();
        if (l2i != null && !l2i.isNull()) {
            if (!l2i.isObject()) {
                throw Gpt2Config.fail(file, "label2id", "must be an object {\"label\": 0, ...}");
            }
            for (Map.Entry<String, JsonNode> e : l2i.properties()) {
                JsonNode v = e.getValue();
                if (!v.isIntegralNumber() || !v.canConvertToInt()) {
                    throw Gpt2Config.fail(file, "label2id." + e.getKey(), "id must be an integer, got " + v);
                }
                inv.put(e.getKey(), v.intValue());
            }
        } else {
            b.id2label.forEach((k, v) -> inv.put(v, k));
        }
        b.label2id = inv;
    }

    // Score head rows are indexed by id, so ids must be 0..n-1.
    private static void checkDense(Path file, Map<Integer, String> m) {
        int expect = 0;
        for (int id : m.keySet()) {
            if (id != expect++) {
                throw Gpt2Config.fail(file, "id2label", "ids must be 0.." + (m.size() - 1) + ", got " + m.keySet());
            }
        }
    }

    private static List<String> architectures(ObjectNode root, Path file) {
        JsonNode a = root.get("architectures");
        if (a == null || a.isNull()) {
            return List.of();
        }
        if (!a.isArray()) {
            throw Gpt2Config.fail(file, "architectures", "must be a list of class names");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode n : a) {
            if (!n.isTextual()) {
                throw Gpt2Config.fail(file, "architectures", "entries must be strings, got " + n);
            }
            out.add(n.textValue());
        }
        return out;
    }

    private static int requiredInt(ObjectNode root, Path file, String field) {
        Integer v = optInt(root, file, field, null);
        if (v == null) {
            throw Gpt2Config.fail(file, field, "is required");
        }
        return v;
    }

    private static Integer optInt(ObjectNode root, Path file, String field, Integer dflt) {
        JsonNode n = root.get(field);
        if (n == null) {
            return dflt;
        }
        if (n.isNull()) {
            return null;
        }
        if (!n.isIntegralNumber() || !n.canConvertToInt()) {
            throw Gpt2Config.fail(file, field, "must be an integer, got " + n);
        }
        return n.intValue();
    }

    private static double optDouble(ObjectNode root, Path file, String field, double dflt) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            return dflt;
        }
        if (!n.isNumber()) {
            throw Gpt2Config.fail(file, field, "must be a number, got " + n);
        }
        return n.doubleValue();
    }

    private static boolean optBool(ObjectNode root, Path file, String field, boolean dflt) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            return dflt;
        }
        if (!n.isBoolean()) {
            throw Gpt2Config.fail(file, field, "must be true or false, got " + n);
        }
        return n.booleanValue();
    }

    private static String optString(ObjectNode root, Path file, String field, String dflt) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            return dflt;
        }
        if (!n.isTextual()) {
            throw Gpt2Config.fail(file, field, "must be a string, got " + n);
        }
        return n.textValue();
    }
}
