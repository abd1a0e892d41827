package io.mergelab.model.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
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
        assertEquals(0.1, c.summaryFirstDropout());
        assertTrue(c.scaleAttnWeights());
        assertFalse(c.scaleAttnByInverseLayerIdx());
        assertEquals("float32", c.extra("torch_dtype").orElseThrow().asText());
    }

    @Test
    void roundTripKeepsUnknownKeysAndValues() throws IOException {
        Path src = FakeGpt2.dir().resolve("config.json");
        ObjectMapper m = new ObjectMapper();
        JsonNode original = m.readTree(src.toFile());
        Gpt2Config c = Gpt2Config.read(src);
        JsonNode back = m.readTree(c.toJson());
        assertEquals(original, back);
        c.write(dir.resolve("config.json"));
        assertEquals(c, Gpt2Config.read(dir.resolve("config.json")));
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
