package io.mergelab.model.gpt2;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mergelab.model.checkpoint.CheckpointDir;
import io.mergelab.testutil.Tolerance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Numerical parity with transformers: token ids, LM logits and classification logits against the
 * golden fixtures made by tools/golden/make_gpt2_golden.py (see tools/golden/README.md).
 * Token ids exact; float32 values relative to the magnitude of what they are computed with ({@link #scaled}),
 * not the fixtures' older "tolerances" (1e-4 absolute, loose for fake-gpt2, whose logits are below 0.08).
 */
class Gpt2ParityTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * A float32 forward rounds each matmul and LayerNorm at ~6e-8 of the magnitudes it sums, and the reference
     * (torch 2.15, one thread) and we (libtorch 2.7.1, MKL kernels chosen per CPU) sum in other orders: errors scale
     * with the largest values of the same vector, not with one logit near zero (seen 7.7e-7 of that scale on an AMD
     * EPYC for small-seed1234, 1e-7 for fake-gpt2).
     */
    static final double FORWARD_REL = 1e-5;
    /** logsumexp over 50 257 logits (~10.8), taken in double from our float32 logits: their rounding, ~1e-7
     * relative after the log (seen 4.5e-8). */
    static final Tolerance LOGSUMEXP = Tolerance.relative(1e-6, 1e-7);

    /** {@link #FORWARD_REL} of {@code scale}, the largest |value| of the vector or batch a value belongs to. */
    static Tolerance scaled(double scale) {
        return Tolerance.relative(FORWARD_REL, FORWARD_REL * scale);
    }

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"fake-gpt2", "small-seed1234"})
    void tokenizerIdsAreIdentical(String fixtureName) throws Exception {
        JsonNode g = fixture(fixtureName);
        Path model = modelDir(fixtureName, g);
        JsonNode tok = g.get("tokenizer");
        try (Gpt2Tokenizer tokenizer = Gpt2Tokenizer.open(model, tok.get("pad_token_id").asInt())) {
            for (JsonNode e : tok.get("entries")) {
                String text = e.get("text").asText();
                assertArrayEquals(longs(e.get("input_ids")), tokenizer.encode(text), "ids of: " + text);
                Gpt2Tokenizer.TokenBatch padded = tokenizer.batch(List.of(text), tok.get("padded_max_length").asInt(), true);
                assertArrayEquals(longs(e.get("padded16").get("input_ids")), padded.ids()[0], "padded ids of: " + text);
                assertArrayEquals(longs(e.get("padded16").get("attention_mask")), padded.attentionMask()[0], "mask of: " + text);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"fake-gpt2", "small-seed1234"})
    void languageModelLogitsMatchTransformers(String fixtureName) throws Exception {
        JsonNode g = fixture(fixtureName);
        CheckpointDir dir = CheckpointDir.open(modelDir(fixtureName, g));
        double worst = 0;
        double worstUsed = 0;
        try (NDManager m = NDManager.newBaseManager()) {
            Gpt2LmHeadModel lm = Gpt2Checkpoints.loadLanguageModel(dir, m);
            for (JsonNode e : g.get("lm").get("entries")) {
                long[] ids = longs(e.get("input_ids"));
                try (NDManager step = m.newSubManager()) {
                    ParameterStore ps = new ParameterStore(step, false);
                    NDArray idArray = step.create(new long[][] {ids});
                    NDArray logits = lm.forward(ps, new NDList(idArray), false).singletonOrThrow(); // [1, T, V]
                    int vocab = (int) logits.getShape().get(2);
                    float[] flat = logits.toFloatArray();
                    JsonNode columns = e.get("columns");
                    Tolerance logitTol = scaled(maxAbs(e.get("logits")));
                    for (int pos = 0; pos < ids.length; pos++) {
                        double lse = logSumExp(flat, pos * vocab, vocab);
                        LOGSUMEXP.assertClose(e.get("logsumexp").get(pos).asDouble(), lse, "logsumexp@" + pos);
                        for (int c = 0; c < columns.size(); c++) {
                            double expected = e.get("logits").get(pos).get(c).asDouble();
                            double actual = flat[pos * vocab + columns.get(c).asInt()];
                            worst = Math.max(worst, Math.abs(expected - actual));
                            worstUsed = Math.max(worstUsed, logitTol.assertClose(expected, actual,
                                    "logit@" + pos + "," + columns.get(c)));
                        }
                    }
                    float[] hidden = lm.transformer().hidden(ps, idArray, null, false).toFloatArray();
                    JsonNode expectedHidden = e.get("hidden_last");
                    Tolerance hiddenTol = scaled(maxAbs(expectedHidden));
                    int c = lm.transformer().architecture().nEmbd();
                    for (int k = 0; k < expectedHidden.size(); k++) {
                        worstUsed = Math.max(worstUsed, hiddenTol.assertClose(expectedHidden.get(k).asDouble(),
                                hidden[(ids.length - 1) * c + k], "hidden_last[" + k + "]"));
                    }
                }
            }
        }
        System.out.printf("%s: max |LM logit - transformers| = %.3g, at most %.3f of the tolerance used%n", fixtureName,
                worst, worstUsed);
    }

    @ParameterizedTest
    @ValueSource(strings = {"fake-gpt2", "small-seed1234"})
    void classificationLogitsMatchTransformersAloneAndInPaddedBatches(String fixtureName) throws Exception {
        JsonNode g = fixture(fixtureName);
        JsonNode cls = g.get("classification");
        // one scale for all: every row is the same score head on post-LayerNorm hidden states
        Tolerance tol = scaled(Math.max(maxAbs(cls.get("padded_batch").get("logits")),
                maxAbs(cls.get("truncated_batch").get("logits"))));
        int numLabels = cls.get("num_labels").asInt();
        CheckpointDir dir = CheckpointDir.open(modelDir(fixtureName, g));
        double worst = 0;
        try (NDManager m = NDManager.newBaseManager();
                Gpt2Inference inf = Gpt2Inference.open(dir, m, Gpt2Checkpoints.defaultLabels(numLabels), 0)) {
            float[] score = flatten(cls.get("score_weight"));
            inf.classifier().model().namedParameters().get("score.weight").getArray().set(score);
            for (JsonNode e : cls.get("single")) {
                float[][] logits = inf.logits(new long[][] {longs(e.get("input_ids"))}, new long[][] {ones(e.get("input_ids").size())});
                worst = Math.max(worst, compareRows(e.get("logits"), logits, tol, "single: " + e.get("text").asText()));
            }
            for (String batch : List.of("padded_batch", "truncated_batch")) {
                JsonNode b = cls.get(batch);
                float[][] logits = inf.logits(longMatrix(b.get("input_ids")), longMatrix(b.get("attention_mask")));
                worst = Math.max(worst, compareRows(b.get("logits"), logits, tol, batch));
            }
            // our own tokenizer + padding path must give the same batch transformers built
            List<String> texts = new ArrayList<>();
            g.get("texts").forEach(t -> texts.add(t.asText()));
            Gpt2Tokenizer.TokenBatch ours = inf.tokenizer().batch(texts, Integer.MAX_VALUE, false);
            assertArrayEquals(longMatrix(cls.get("padded_batch").get("input_ids")), ours.ids());
            float[][] viaTexts = inf.classify(texts, Integer.MAX_VALUE);
            worst = Math.max(worst, compareRows(cls.get("padded_batch").get("logits"), viaTexts, tol, "classify(texts)"));
        }
        System.out.printf("%s: max |classification logit - transformers| = %.3g%n", fixtureName, worst);
    }

    private Path modelDir(String fixtureName, JsonNode g) throws Exception {
        if (fixtureName.equals("fake-gpt2")) {
            Path dir = TestModels.fakeGpt2();
            assertEquals(g.get("source").get("model_safetensors_sha256").asText(), sha256(dir.resolve("model.safetensors")),
                    "the shipped fake-gpt2 is not the checkpoint the golden values were made from");
            return dir;
        }
        // small-seed1234: remade by our factory; the hash proves it is the model transformers saw
        Path out = tmp.resolve(fixtureName);
        Gpt2Factory.writeCheckpoint(ModelPreset.SMALL, 1234, out, TestModels.tokenizerDir(), false);
        assertEquals(g.get("source").get("model_safetensors_sha256").asText(), sha256(out.resolve("model.safetensors")),
                "the factory no longer reproduces the checkpoint the golden values were made from");
        return out;
    }

    private static JsonNode fixture(String name) throws IOException {
        try (InputStream in = Gpt2ParityTest.class.getResourceAsStream("/golden/gpt2/" + name + ".json")) {
            assertTrue(in != null, "missing fixture golden/gpt2/" + name + ".json (tools/golden/make_all.sh)");
            return JSON.readTree(in);
        }
    }

    /** The largest |value| in a (nested) JSON array of numbers. */
    private static double maxAbs(JsonNode values) {
        if (values.isNumber()) {
            return Math.abs(values.asDouble());
        }
        double m = 0;
        for (JsonNode v : values) {
            m = Math.max(m, maxAbs(v));
        }
        return m;
    }

    /** Compares row by row; returns the largest |diff|. */
    private static double compareRows(JsonNode expected, float[][] actual, Tolerance tol, String what) {
        assertEquals(expected.size(), actual.length, what + ": rows");
        double worst = 0;
        for (int i = 0; i < actual.length; i++) {
            assertEquals(expected.get(i).size(), actual[i].length, what + " [" + i + "]: columns");
            for (int j = 0; j < actual[i].length; j++) {
                double want = expected.get(i).get(j).asDouble();
                tol.assertClose(want, actual[i][j], what + " [" + i + "][" + j + "]");
                worst = Math.max(worst, Math.abs(want - actual[i][j]));
            }
        }
        return worst;
    }

    private static double logSumExp(float[] x, int from, int n) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = from; i < from + n; i++) {
            max = Math.max(max, x[i]);
        }
        double s = 0;
        for (int i = from; i < from + n; i++) {
            s += Math.exp(x[i] - max);
        }
        return max + Math.log(s);
    }

    private static long[] longs(JsonNode a) {
        long[] out = new long[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).asLong();
        }
        return out;
    }

    private static long[][] longMatrix(JsonNode a) {
        long[][] out = new long[a.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = longs(a.get(i));
        }
        return out;
    }

    private static long[] ones(int n) {
        long[] out = new long[n];
        java.util.Arrays.fill(out, 1L);
        return out;
    }

    private static float[] flatten(JsonNode matrix) {
        List<Float> values = new ArrayList<>();
        matrix.forEach(row -> row.forEach(v -> values.add((float) v.asDouble())));
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i);
        }
        return out;
    }

    private static String sha256(Path file) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
