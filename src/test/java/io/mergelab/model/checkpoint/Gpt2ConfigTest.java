package io.mergelab.model.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Gpt2ConfigTest {
    @TempDir
    Path dir;

    private static final String MINIMAL = "{\"model_type\":\"gpt2\",\"vocab_size\":50,\"n_positions\":16,"
            + "\"n_embd\":8,\"n_layer\":2,\"n_head\":2";

    private Path json(String body) throws IOException {
        return Files.writeString(dir.resolve("config.json"), body);
    }

    private void rejected(String body, String... fragments) throws IOException {
        Path f = json(body);
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> Gpt2Config.read(f));
        assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        for (String s : fragments) {
            assertTrue(e.getMessage().contains(s), () -> "'" + s + "' not in: " + e.getMessage());
        }
    }

    @Test
    void parsesFakeGpt2() throws IOException {
        Gpt2Config c = Gpt2Config.read(FakeGpt2.dir().resolve("config.json"));
        assertEquals(50257, c.vocabSize());
        assertEquals(1024, c.nPositions());
        assertEquals(2, c.nEmbd());
        assertEquals(1, c.nLayer());
        assertEquals(1, c.nHead());
        assertEquals(8, c.nInner()); // null in JSON -> 4 * n_embd
        assertEquals(1e-5, c.layerNormEpsilon());
        assertEquals("gelu_new", c.activationFunction());
        assertEquals(List.of("GPT2LMHeadModel"), c.architectures());
        assertEquals(2, c.numLabels());
        assertEquals(Map.of(0, "LABEL_0", 1, "LABEL_1"), c.id2label());
        assertNull(c.padTokenId());
        assertEquals(50256, c.bosTokenId());
        assertEquals(50256, c.eosTokenId());
        assertEquals(0.1, c.residPdrop());
        assertTrue(c.scaleAttnWeights());
        assertFalse(c.scaleAttnByInverseLayerIdx());
        assertEquals("float32", c.torchDtype());
        assertEquals("float32", c.weightsDtype().orElseThrow());
        assertEquals("4.36.2", c.transformersVersion());
        assertEquals(0.1, c.other().get("summary_first_dropout").doubleValue()); // untyped: mergelab does not read it
    }

    /**
     * A hub config (fake-gpt2, as save_pretrained wrote it) comes back key for key, in its order, nested objects
     * included. Not byte for byte: Jackson writes 1e-05 as 1.0E-5 (mergelab has always written it so).
     */
    @Test
    void hubConfigRoundTripsKeyOrderAndUnknownKeys() throws IOException {
        Path src = FakeGpt2.dir().resolve("config.json");
        Gpt2Config c = Gpt2Config.read(src);
        assertEquals(Json.pretty(Json.MAPPER.readTree(src.toFile())), c.toJson());
        assertEquals(Files.readString(src).replace("1e-05", "1.0E-5"), c.toJson());
        c.write(dir.resolve("config.json"));
        assertEquals(c, Gpt2Config.read(dir.resolve("config.json")));
    }

    /** Unsorted keys, nested objects, arrays, non-ASCII and a typed key under its generic alias all come back. */
    @Test
    void unknownAndNestedKeysRoundTripInTheirOrder() throws IOException {
        String body = """
                {"zeta": 1, "num_hidden_layers": 2, "model_type": "gpt2",
                 "task_specific_params": {"text-generation": {"max_length": 50, "do_sample": true},
                                          "b": [1, {"q": null, "a": "Café"}]},
                 "vocab_size": 50, "alpha": [], "n_positions": 16, "n_embd": 8, "empty": {}, "n_head": 2,
                 "big": 12345678901234, "f": 0.25, "n_ctx": 1024, "use_cache": false, "summary_activation": null}
                """;
        Path src = json(body);
        Gpt2Config c = Gpt2Config.read(src);
        assertEquals(2, c.nLayer());
        String out = c.toJson();
        assertEquals(Json.pretty(Json.MAPPER.readTree(body)), out);
        assertFalse(out.contains("\"n_layer\""), out); // absent keys stay absent
        assertFalse(out.contains("n_inner"), out);
        Path copy = Files.writeString(dir.resolve("copy.json"), out);
        assertEquals(out, Gpt2Config.read(copy).toJson()); // from here on byte-identical
        assertEquals(c, Gpt2Config.read(copy));
        assertTrue(c.withNLayer(3).toJson().contains("\"num_hidden_layers\": 3"));
    }

    /** What mergelab writes reads back equal and writes the same bytes again, so reruns stay byte-identical. */
    @Test
    void writtenConfigsAreAFixedPoint() throws IOException {
        for (Gpt2Config c : List.of(Gpt2Config.of(100, 32, 8, 2, 2),
                Gpt2Config.of(100, 32, 8, 2, 2).withClassification(List.of("neg", "pos", "neu"), 7)
                        .withTorchDtype("bfloat16").withDropout(0.0, 0.0, 0.0).withNLayer(1),
                Gpt2Config.read(FakeGpt2.dir().resolve("config.json")).withClassification(List.of("a", "b", "c"), 0))) {
            c.write(dir.resolve("config.json"));
            Gpt2Config back = Gpt2Config.read(dir.resolve("config.json"));
            assertEquals(c, back);
            assertEquals(c.toJson(), back.toJson());
        }
    }

    @Test
    void withersChangeOneComponent() {
        Gpt2Config c = Gpt2Config.read(FakeGpt2.dir().resolve("config.json"));
        assertEquals(Set.of("nLayer"), changed(c, c.withNLayer(3)));
        assertEquals(Set.of("residPdrop"), changed(c, c.withDropout(0.0, null, null)));
        assertEquals(Set.of("residPdrop", "embdPdrop", "attnPdrop"), changed(c, c.withDropout(0.0, 0.2, 0.3)));
        assertEquals(Set.of("architectures"), changed(c, c.withArchitecture("GPT2Model")));
        assertEquals(Set.of("dtype", "torchDtype", "keyOrder"), changed(c, c.withTorchDtype("bfloat16")));
        // A key the file lacks is added where sort_keys puts it.
        Gpt2Config p = c.withPadTokenId(5);
        assertEquals(Set.of("padTokenId", "keyOrder"), changed(c, p));
        assertEquals(p.keyOrder().indexOf("n_positions") + 1, p.keyOrder().indexOf("pad_token_id"));
        assertEquals(Set.of("architectures", "id2label", "label2id", "padTokenId", "keyOrder"),
                changed(c, c.withClassification(List.of("x", "y", "z"), 1)));
        assertEquals(Set.of(), changed(c, c.withDropout(null, null, null)));
    }

    private static Set<String> changed(Gpt2Config a, Gpt2Config b) {
        Set<String> out = new TreeSet<>();
        for (RecordComponent rc : Gpt2Config.class.getRecordComponents()) {
            try {
                if (!Objects.equals(rc.getAccessor().invoke(a), rc.getAccessor().invoke(b))) {
                    out.add(rc.getName());
                }
            } catch (ReflectiveOperationException e) {
                throw new AssertionError(e);
            }
        }
        return out;
    }

    /** Legacy and generic spellings behave as transformers 5 reads them. */
    @Test
    void legacySpellings() throws IOException {
        // n_ctx is an old, unused key: kept verbatim, n_positions alone sizes wpe.
        Gpt2Config c = Gpt2Config.read(json(MINIMAL + ",\"n_ctx\":2048}"));
        assertEquals(16, c.nPositions());
        assertEquals(2048, c.other().get("n_ctx").intValue());
        // torch_dtype is read when dtype is absent; dtype wins when both are set.
        assertEquals("float16", Gpt2Config.read(json(MINIMAL + ",\"torch_dtype\":\"float16\"}")).weightsDtype()
                .orElseThrow());
        Gpt2Config both = Gpt2Config.read(json(MINIMAL + ",\"torch_dtype\":\"float16\",\"dtype\":\"bfloat16\"}"));
        assertEquals("bfloat16", both.weightsDtype().orElseThrow());
        assertEquals("float16", both.torchDtype());
        assertTrue(Gpt2Config.read(json(MINIMAL + "}")).weightsDtype().isEmpty());
        // attribute_map: hidden_size, num_hidden_layers, ... set the GPT-2 names.
        Gpt2Config a = Gpt2Config.read(json("{\"vocab_size\":50,\"max_position_embeddings\":16,\"hidden_size\":8,"
                + "\"num_hidden_layers\":3,\"num_attention_heads\":4}"));
        assertEquals(List.of(16, 8, 3, 4), List.of(a.nPositions(), a.nEmbd(), a.nLayer(), a.nHead()));
        rejected(MINIMAL + ",\"num_hidden_layers\":3}", "field 'num_hidden_layers'", "3 disagrees with n_layer 2");
        // JSON null: the default for nullable keys; transformers' strict dataclass rejects it elsewhere.
        assertNull(Gpt2Config.read(json(MINIMAL + ",\"bos_token_id\":null}")).bosTokenId());
        rejected(MINIMAL + ",\"resid_pdrop\":null}", "field 'resid_pdrop'", "number");
    }

    @Test
    void problemTypeAsTransformersChecksIt() throws IOException {
        assertEquals("regression", Gpt2Config.read(json(MINIMAL + ",\"num_labels\":1,\"problem_type\":\"regression\"}"))
                .problemType());
        rejected(MINIMAL + ",\"num_labels\":1,\"problem_type\":\"single_label_classification\"}",
                "field 'problem_type'");
        rejected(MINIMAL + ",\"problem_type\":\"ranking\"}", "field 'problem_type'", "ranking");
    }

    @Test
    void toJsonLooksLikeTransformers() {
        String s = Gpt2Config.of(100, 32, 8, 2, 2).toJson();
        assertTrue(s.startsWith("{\n  \"activation_function\": \"gelu_new\",\n  \"architectures\": [\n"
                + "    \"GPT2LMHeadModel\"\n  ],\n"), s);
        assertTrue(s.contains("\"n_inner\": null"), s);
        assertTrue(s.endsWith("}\n"), s);
    }

    @Test
    void withClassificationWritesHfLabelMaps() throws IOException {
        Gpt2Config c = Gpt2Config.of(100, 32, 8, 2, 2).withClassification(List.of("neg", "neu", "pos"), 50256);
        assertEquals(List.of("GPT2ForSequenceClassification"), c.architectures());
        assertEquals(3, c.numLabels());
        assertEquals(List.of("neg", "neu", "pos"), c.labelList());
        assertEquals(Map.of("neg", 0, "neu", 1, "pos", 2), c.label2id());
        assertEquals(50256, c.padTokenId());
        JsonNode j = new ObjectMapper().readTree(c.toJson());
        assertEquals("neu", j.get("id2label").get("1").asText()); // keys are strings
        assertTrue(j.get("label2id").get("pos").isInt()); // values are ints
        assertEquals(50256, j.get("pad_token_id").asInt());
        assertEquals("gpt2", j.get("model_type").asText());
        c.write(dir.resolve("config.json"));
        assertEquals(c, Gpt2Config.read(dir.resolve("config.json")));
        assertThrows(IllegalArgumentException.class, () -> c.withClassification(List.of("a", "a"), 0));
        // transformers' default labels are left out, as its save does
        String two = c.withClassification(List.of("LABEL_0", "LABEL_1"), 1).toJson();
        assertFalse(two.contains("id2label") || two.contains("label2id"), two);
    }

    @Test
    void labelsFromNumLabelsOrId2label() throws IOException {
        assertEquals(List.of("LABEL_0", "LABEL_1", "LABEL_2"),
                Gpt2Config.read(json(MINIMAL + ",\"num_labels\":3}")).labelList());
        Gpt2Config c = Gpt2Config.read(json(MINIMAL + ",\"id2label\":{\"1\":\"b\",\"0\":\"a\"}}"));
        assertEquals(List.of("a", "b"), c.labelList());
        assertEquals(Map.of("a", 0, "b", 1), c.label2id());
        rejected(MINIMAL + ",\"num_labels\":3,\"id2label\":{\"0\":\"a\"}}", "num_labels");
        rejected(MINIMAL + ",\"id2label\":{\"x\":\"a\"}}", "id2label");
    }

    @Test
    void ofUsesTransformersDefaults() {
        Gpt2Config c = Gpt2Config.of(100, 32, 8, 2, 2);
        assertEquals(32, c.nInner());
        assertEquals(0.02, c.initializerRange());
        assertEquals(50256, c.eosTokenId());
        assertEquals(2, c.numLabels());
        assertThrows(IllegalArgumentException.class, () -> Gpt2Config.of(100, 32, 10, 2, 3));
        assertThrows(IllegalArgumentException.class, () -> Gpt2Config.of(0, 32, 8, 2, 2));
    }

    @Test
    void rejectsNonGpt2ModelType() throws IOException {
        rejected("{\"model_type\":\"llama\",\"vocab_size\":50,\"n_positions\":16,\"n_embd\":8,\"n_layer\":2,"
                + "\"n_head\":2}", "field 'model_type'", "llama");
    }

    @Test
    void rejectsNonGpt2Architecture() throws IOException {
        rejected(MINIMAL + ",\"architectures\":[\"BertForSequenceClassification\"]}", "field 'architectures'",
                "BertForSequenceClassification");
    }

    @Test
    void rejectsMissingOrBadSizes() throws IOException {
        rejected("{\"model_type\":\"gpt2\",\"vocab_size\":50,\"n_positions\":16,\"n_embd\":8,\"n_layer\":2}",
                "field 'n_head'", "required");
        rejected(MINIMAL.replace("\"n_layer\":2", "\"n_layer\":0") + "}", "field 'n_layer'", "positive");
        rejected(MINIMAL.replace("\"n_embd\":8", "\"n_embd\":\"8\"") + "}", "field 'n_embd'", "integer");
        rejected(MINIMAL.replace("\"n_head\":2", "\"n_head\":3") + "}", "field 'n_head'", "divisible");
        rejected(MINIMAL + ",\"n_inner\":-4}", "field 'n_inner'");
    }

    @Test
    void rejectsBadJson() throws IOException {
        rejected("{\"model_type\":", "not valid JSON");
        rejected("[]", "JSON object");
        Path missing = dir.resolve("nope.json");
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> Gpt2Config.read(missing));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
    }
}
