package io.mergelab.model.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Map;
import org.junit.jupiter.api.Test;

class Gpt2TensorNamesTest {

    @Test
    void canonicalAndHfNames() {
        assertEquals("h.0.attn.c_attn.weight", Gpt2TensorNames.canonical("transformer.h.0.attn.c_attn.weight"));
        assertEquals("lm_head.weight", Gpt2TensorNames.canonical("lm_head.weight"));
        assertEquals("wte.weight", Gpt2TensorNames.hfName("wte.weight", "GPT2Model"));
        assertEquals("transformer.wte.weight", Gpt2TensorNames.hfName("wte.weight", "GPT2LMHeadModel"));
        assertEquals("transformer.ln_f.bias", Gpt2TensorNames.hfName("transformer.ln_f.bias",
                "GPT2ForSequenceClassification"));
        assertEquals("score.weight", Gpt2TensorNames.hfName("score.weight", "GPT2ForSequenceClassification"));
        assertEquals("lm_head.weight", Gpt2TensorNames.hfName("lm_head.weight", "GPT2LMHeadModel"));
        assertThrows(IllegalArgumentException.class, () -> Gpt2TensorNames.hfName("wte.weight", "BertModel"));
    }

    @Test
    void recognisesBuffers() {
        assertTrue(Gpt2TensorNames.isBuffer("h.3.attn.bias"));
        assertTrue(Gpt2TensorNames.isBuffer("transformer.h.11.attn.masked_bias"));
        assertFalse(Gpt2TensorNames.isBuffer("h.3.attn.c_attn.bias"));
        assertFalse(Gpt2TensorNames.isBuffer("h.3.ln_1.bias"));
    }

    @Test
    void expectedShapesUseConv1dLayout() {
        Gpt2Config c = Gpt2Config.of(100, 32, 8, 2, 2);
        Map<String, long[]> m = Gpt2TensorNames.expectedShapes(c);
        assertEquals(2 + 2 * 12 + 2, m.size());
        assertEquals(Gpt2TensorNames.backboneNames(2), new ArrayList<>(m.keySet()));
        assertArrayEquals(new long[] {100, 8}, m.get("wte.weight"));
        assertArrayEquals(new long[] {32, 8}, m.get("wpe.weight"));
        assertArrayEquals(new long[] {8, 24}, m.get("h.1.attn.c_attn.weight"));
        assertArrayEquals(new long[] {24}, m.get("h.1.attn.c_attn.bias"));
        assertArrayEquals(new long[] {8, 8}, m.get("h.0.attn.c_proj.weight"));
        assertArrayEquals(new long[] {8, 32}, m.get("h.0.mlp.c_fc.weight"));
        assertArrayEquals(new long[] {32, 8}, m.get("h.0.mlp.c_proj.weight"));
        assertArrayEquals(new long[] {8}, m.get("ln_f.bias"));
        assertEquals(1, Gpt2TensorNames.layerIndex("transformer.h.1.ln_2.weight").orElseThrow());
    }
}
