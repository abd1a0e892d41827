package io.mergelab.model.checkpoint;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * GPT-2 tensor names. Canonical names have no {@code transformer.} prefix on backbone tensors
 * ({@code wte.weight}, {@code h.0.attn.c_attn.weight}, ...); heads are {@code lm_head.weight} and
 * {@code score.weight}. Which prefix transformers expects depends on the model class.
 */
public final class Gpt2TensorNames {
    public static final String PREFIX = "transformer.";
    public static final String LM_HEAD = "lm_head.weight";
    public static final String SCORE = "score.weight";

    public static final String GPT2_MODEL = "GPT2Model";
    public static final String GPT2_LM_HEAD_MODEL = "GPT2LMHeadModel";
    public static final String GPT2_FOR_SEQUENCE_CLASSIFICATION = "GPT2ForSequenceClassification";
    /** Every GPT-2 class in transformers; all but GPT2Model nest the backbone under {@code transformer.}. */
    public static final Set<String> ARCHITECTURES = Set.of(GPT2_MODEL, GPT2_LM_HEAD_MODEL,
            GPT2_FOR_SEQUENCE_CLASSIFICATION, "GPT2DoubleHeadsModel", "GPT2ForTokenClassification",
            "GPT2ForQuestionAnswering");

    private static final Pattern BUFFER = Pattern.compile("h\\.\\d+\\.attn\\.(bias|masked_bias)");
    private static final Pattern LAYER = Pattern.compile("h\\.(\\d+)\\..*");
    private static final String[] LAYER_PARTS = {
        "ln_1.weight", "ln_1.bias", "attn.c_attn.weight", "attn.c_attn.bias", "attn.c_proj.weight",
        "attn.c_proj.bias", "ln_2.weight", "ln_2.bias", "mlp.c_fc.weight", "mlp.c_fc.bias",
        "mlp.c_proj.weight", "mlp.c_proj.bias",
    };

    private Gpt2TensorNames() {
    }

    /** Strips one leading {@code transformer.}. */
    public static String canonical(String fileName) {
        return fileName.startsWith(PREFIX) ? fileName.substring(PREFIX.length()) : fileName;
    }

    /** Name as transformers stores it for {@code architecture}: backbone prefixed except in GPT2Model. */
    public static String hfName(String canonical, String architecture) {
        if (!ARCHITECTURES.contains(architecture)) {
            throw new IllegalArgumentException("not a GPT-2 architecture: " + architecture + " (known: "
                    + ARCHITECTURES + ")");
        }
        String c = canonical(canonical);
        return isBackbone(c) && !architecture.equals(GPT2_MODEL) ? PREFIX + c : c;
    }

    /** wte/wpe/h.N/ln_f (prefixed or not), as opposed to a head. */
    public static boolean isBackbone(String name) {
        String c = canonical(name);
        return c.startsWith("wte.") || c.startsWith("wpe.") || c.startsWith("h.") || c.startsWith("ln_f.");
    }

    /** Causal-mask buffers ({@code h.N.attn.bias}, {@code h.N.attn.masked_bias}) found in old checkpoints; not weights. */
    public static boolean isBuffer(String name) {
        return BUFFER.matcher(canonical(name)).matches();
    }

    /** The block index of an {@code h.N.} name. */
    public static OptionalInt layerIndex(String name) {
        Matcher m = LAYER.matcher(canonical(name));
        if (!m.matches()) {
            return OptionalInt.empty();
        }
        try {
            return OptionalInt.of(Integer.parseInt(m.group(1)));
        } catch (NumberFormatException e) {
            return OptionalInt.empty();
        }
    }

    /** Canonical backbone names in transformers' parameter order. */
    public static List<String> backboneNames(int nLayer) {
        List<String> out = new ArrayList<>();
        out.add("wte.weight");
        out.add("wpe.weight");
        for (int i = 0; i < nLayer; i++) {
            for (String p : LAYER_PARTS) {
                out.add("h." + i + "." + p);
            }
        }
        out.add("ln_f.weight");
        out.add("ln_f.bias");
        return out;
    }

    /** Canonical backbone name to shape, HF Conv1D layout ([in, out]). */
    public static LinkedHashMap<String, long[]> expectedShapes(Gpt2Config c) {
        long e = c.nEmbd();
        long inner = c.nInner();
        LinkedHashMap<String, long[]> m = new LinkedHashMap<>();
        m.put("wte.weight", new long[] {c.vocabSize(), e});
        m.put("wpe.weight", new long[] {c.nPositions(), e});
        for (int i = 0; i < c.nLayer(); i++) {
            String h = "h." + i + ".";
            m.put(h + "ln_1.weight", new long[] {e});
            m.put(h + "ln_1.bias", new long[] {e});
            m.put(h + "attn.c_attn.weight", new long[] {e, 3 * e});
            m.put(h + "attn.c_attn.bias", new long[] {3 * e});
            m.put(h + "attn.c_proj.weight", new long[] {e, e});
            m.put(h + "attn.c_proj.bias", new long[] {e});
            m.put(h + "ln_2.weight", new long[] {e});
            m.put(h + "ln_2.bias", new long[] {e});
            m.put(h + "mlp.c_fc.weight", new long[] {e, inner});
            m.put(h + "mlp.c_fc.bias", new long[] {inner});
            m.put(h + "mlp.c_proj.weight", new long[] {inner, e});
            m.put(h + "mlp.c_proj.bias", new long[] {e});
        }
        m.put("ln_f.weight", new long[] {e});
        m.put("ln_f.bias", new long[] {e});
        return m;
    }

    /** Shapes of the known heads: lm_head [vocab, n_embd], score [num_labels, n_embd]. */
    public static Map<String, long[]> expectedHeadShapes(Gpt2Config c) {
        return Map.of(LM_HEAD, new long[] {c.vocabSize(), c.nEmbd()}, SCORE, new long[] {c.numLabels(), c.nEmbd()});
    }
}
