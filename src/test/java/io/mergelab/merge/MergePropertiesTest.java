package io.mergelab.merge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mergelab.merge.methods.DareLinearMethod;
import io.mergelab.merge.methods.DareTiesMethod;
import io.mergelab.merge.methods.DellaLinearMethod;
import io.mergelab.merge.methods.KarcherMethod;
import io.mergelab.merge.methods.LinearMethod;
import io.mergelab.merge.methods.ModelStockMethod;
import io.mergelab.merge.methods.MultislerpMethod;
import io.mergelab.merge.methods.NearswapMethod;
import io.mergelab.merge.methods.NuslerpMethod;
import io.mergelab.merge.methods.RamMethod;
import io.mergelab.merge.methods.RamPlusTlMethod;
import io.mergelab.merge.methods.RandomSelectMethod;
import io.mergelab.merge.methods.SlerpMethod;
import io.mergelab.merge.methods.TaskArithmeticMethod;
import io.mergelab.merge.methods.TiesMethod;
import io.mergelab.model.checkpoint.CheckpointDir;
import io.mergelab.testutil.Tolerance;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Algebraic properties of the methods, and 8-element reference vectors of mergekit's formulas
 * (src/test/resources/golden/merge/reference-vectors.json, written by tools/golden/make_merge_vectors.py).
 */
class MergePropertiesTest {
    /** A few float32 operations per element on both sides (weighted sums, a division, an L1 rescale factor); the
     * floor is ~1 ulp of the inputs (|x| <= 5) for results that cancel towards zero. */
    static final Tolerance ELEMENTWISE = Tolerance.relative(1e-6, 1e-7);
    /** slerp and model_stock also take whole-vector norms and dot products (we in double, the script in float64
     * rounded to float32, mergekit itself in float32), then acos/sin or a ratio: an ulp or two more in coefficients
     * that multiply inputs up to 5, hence the larger floor (seen bit-equal to the script). */
    static final Tolerance WITH_REDUCTIONS = Tolerance.relative(2e-6, 1e-6);
    static JsonNode vectors;

    @BeforeAll
    static void load() throws IOException {
        try (InputStream in = MergePropertiesTest.class.getResourceAsStream("/golden/merge/reference-vectors.json")) {
            vectors = new ObjectMapper().readTree(in);
        }
    }

    static float[] floats(JsonNode values) {
        float[] f = new float[values.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = Float.parseFloat(values.get(i).asText());
        }
        return f;
    }

    static float[] model(String name) {
        return floats(vectors.get("models").get(name));
    }

    static float[] expected(String caseName) {
        return floats(vectors.get("cases").get(caseName).get("expected"));
    }

    static float[] add(float[] a, float[] b) {
        float[] r = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = a[i] + b[i];
        }
        return r;
    }

    static ModelTensor mt(String name, float[] data, double weight, double density) {
        return new ModelTensor(name, data, Map.of("weight", weight, "density", density, "gamma", 0.01,
                "epsilon", 0.15));
    }

    static TensorMerge withBase(MergeMethod m, float[] base, List<ModelTensor> others, Map<String, Double> overrides) {
        Map<String, Double> g = new java.util.HashMap<>();
        for (ParamSpec p : m.parameters()) {
            if (!p.perModel() && p.defaultValue() != null) {
                g.put(p.name(), p.defaultValue());
            }
        }
        g.putAll(overrides);
        ModelTensor b = new ModelTensor("base", base, Map.of());
        List<ModelTensor> all = new ArrayList<>(others);
        all.add(b);
        return new TensorMerge("t", new long[] {base.length}, all, b, others, g, 42);
    }

    static void close(float[] want, float[] got) {
        ELEMENTWISE.assertClose(want, got, "merged");
    }

    @Test
    void referenceVectorsFromTheGoldenScript() {
        float[] b = model("B");
        float[] a = model("A");
        float[] bm = model("Bm");
        for (String m : List.of("A", "Bm", "C")) { // the script's models are B + delta in float32, as ours would be
            assertArrayEquals(add(b, floats(vectors.get("deltas").get(m))), model(m), m);
        }
        List<ModelTensor> two = List.of(mt("A", a, 0.6, 0.5), mt("B", bm, 0.4, 0.5));
        double used = ELEMENTWISE.assertClose(expected("task_arithmetic"),
                new TaskArithmeticMethod().merge(withBase(new TaskArithmeticMethod(), b,
                        List.of(mt("A", a, 0.6, 1), mt("B", bm, 0.4, 1)), Map.of())), "task_arithmetic");
        used = Math.max(used, ELEMENTWISE.assertClose(expected("ties"),
                new TiesMethod().merge(withBase(new TiesMethod(), b, two, Map.of())), "ties"));
        used = Math.max(used, ELEMENTWISE.assertClose(expected("ties_unnormalized"),
                new TiesMethod().merge(withBase(new TiesMethod(), b, two, Map.of("normalize", 0.0))),
                "ties, normalize false"));
        used = Math.max(used, ELEMENTWISE.assertClose(expected("ties_rescaled"),
                new TiesMethod().merge(withBase(new TiesMethod(), b, two, Map.of("rescale", 1.0))),
                "ties, rescale true"));
        // slerp t=0.3, base A, other Bm
        TensorMerge s = new TensorMerge("t", new long[] {8}, List.of(new ModelTensor("A", a, Map.of()),
                new ModelTensor("B", bm, Map.of())), new ModelTensor("A", a, Map.of()),
                List.of(new ModelTensor("B", bm, Map.of())), Map.of("t", 0.3), 0);
        double usedReductions = WITH_REDUCTIONS.assertClose(expected("slerp"), new SlerpMethod().merge(s), "slerp");
        float[] ms = new ModelStockMethod().merge(withBase(new ModelStockMethod(), b,
                List.of(mt("A", a, 1, 1), mt("C", model("C"), 1, 1)), Map.of()));
        usedReductions = Math.max(usedReductions, WITH_REDUCTIONS.assertClose(expected("model_stock"), ms,
                "model_stock"));
        System.out.printf("reference vectors: at most %.3f of the element-wise tolerance used, %.3f of the other%n",
                used, usedReductions);
    }

    static float[] random(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return x;
    }

    @Test
    void linearOfIdenticalModelsIsIdentity() {
        float[] x = random(1, 1000);
        LinearMethod lin = new LinearMethod();
        List<ModelTensor> in = List.of(mt("a", x, 0.2, 1), mt("b", x, 0.5, 1), mt("c", x, 0.3, 1));
        float[] r = lin.merge(new TensorMerge("t", new long[] {1000}, in, null, in, Map.of("normalize", 1.0), 0));
        close(x, r);
    }

    /**
     * Every registered method (plug-ins and later additions included) returns the input when all its inputs are the
     * same tensor: task vectors are zero, weights and interpolations are affine, selections pick an equal value.
     * Required parameters get 1 (per model) or 0.5 (global); the number of models is what the method accepts.
     */
    @Test
    void everyMethodGivesBackIdenticalInputs() {
        float[] x = random(20, 4 * 8);
        MethodRegistry registry = MethodRegistry.load();
        for (String name : registry.names()) {
            MergeMethod m = registry.get(name);
            Map<String, Double> perModel = new java.util.HashMap<>();
            Map<String, Double> global = new java.util.HashMap<>();
            for (ParamSpec p : m.parameters()) {
                Double v = p.required() ? (p.perModel() ? 1.0 : 0.5) : p.defaultValue();
                if (!v.isNaN()) {
                    (p.perModel() ? perModel : global).put(p.name(), v);
                }
            }
            ModelCount count = m.otherModels();
            int n = m.basePolicy() == BasePolicy.SINGLE_INPUT ? 1 : Math.max(count.min(), Math.min(2, count.max()));
            List<ModelTensor> others = new ArrayList<>();
            for (int k = 0; k < n; k++) {
                others.add(new ModelTensor("m" + k, x.clone(), perModel));
            }
            ModelTensor base = m.basePolicy() == BasePolicy.REQUIRED ? new ModelTensor("base", x.clone(), Map.of())
                    : null;
            List<ModelTensor> all = new ArrayList<>(others);
            if (base != null) {
                all.add(base);
            }
            float[] got = m.merge(new TensorMerge("t", new long[] {4, 8}, all, base, others, global, 3));
            ELEMENTWISE.assertClose(x, got, name + " of identical inputs");
        }
    }

    @Test
    void dellaLinearWithDensityOneIsTaskArithmetic() {
        float[] b = random(21, 3000);
        List<ModelTensor> in = List.of(mt("x", random(22, 3000), 0.6, 1.0), mt("y", random(23, 3000), -0.3, 1.0));
        assertArrayEquals(new TaskArithmeticMethod().merge(withBase(new TaskArithmeticMethod(), b, in, Map.of())),
                new DellaLinearMethod().merge(withBase(new DellaLinearMethod(), b, in, Map.of())));
    }

    @Test
    void dellaLinearKeepsLargeMagnitudesMoreOften() {
        int rows = 50;
        int row = 400;
        float[] x = random(24, rows * row);
        TensorMerge t = withBase(new DellaLinearMethod(), new float[x.length],
                List.of(new ModelTensor("x", x, Map.of("weight", 1.0, "density", 0.5, "epsilon", 0.2))), Map.of());
        float[] r = new DellaLinearMethod().merge(new TensorMerge(t.tensor(), new long[] {rows, row}, t.inputs(),
                t.base(), t.others(), t.global(), 5));
        int[] kept = new int[2];
        double l1 = 0;
        double l1x = 0;
        for (int i = 0; i < x.length; i++) {
            // N(0, 1): |x| above its median 0.674 is the upper half of each row, up to noise
            kept[Math.abs(x[i]) > 0.6745 ? 1 : 0] += r[i] != 0 ? 1 : 0;
            l1 += Math.abs(r[i]);
            l1x += Math.abs(x[i]);
        }
        assertEquals(0.5, (kept[0] + kept[1]) / (double) x.length, 0.02);
        assertTrue(kept[1] - kept[0] > 0.15 * x.length / 2, "upper half kept " + kept[1] + ", lower " + kept[0]);
        assertEquals(1.0, l1 / l1x, 1e-5);
    }

    @Test
    void nearswapTakesTheOtherModelWithinTAndTheBaseFarAway() {
        float[] a = {0f, 0f, 0f, 1f};
        float[] b = {0.01f, -0.5f, 2f, 1f};
        List<ModelTensor> other = List.of(new ModelTensor("b", b, Map.of()));
        ModelTensor base = new ModelTensor("a", a, Map.of());
        float[] r = new NearswapMethod().merge(new TensorMerge("t", new long[] {4}, List.of(base, other.get(0)), base,
                other, Map.of("t", 0.1), 0));
        assertEquals(0.01f, r[0]); // within t: swapped
        assertEquals(-0.5f * (1f / 0.5f * 0.1f), r[1], 1e-7); // w = t / |a - b| = 0.2
        assertEquals(2f * (1f / 2f * 0.1f), r[2], 1e-7);
        assertEquals(1f, r[3]);
    }

    @Test
    void ramKeepsUniqueChangesAndAveragesSharedOnes() {
        float[] base = new float[4];
        List<ModelTensor> two = List.of(new ModelTensor("x", new float[] {0.5f, 0.2f, 0f, 1e-6f}, Map.of()),
                new ModelTensor("y", new float[] {0f, 0.4f, 0f, 0.3f}, Map.of()));
        TensorMerge t = withBase(new RamMethod(), base, two, Map.of());
        assertArrayEquals(new float[] {0.5f, 0.3f, 0f, 0.3f}, new RamMethod().merge(t));
        // ramplus_tl: x has 1 shared and 1 unique element (rho 1), y 1 and 1: unique ones scaled by 1 + 0.5 * 0.8
        TensorMerge p = withBase(new RamPlusTlMethod(), base, two, Map.of("r", 0.5, "alpha", 0.8));
        assertArrayEquals(new float[] {0.5f * 1.4f, 0.3f, 0f, 0.3f * 1.4f}, new RamPlusTlMethod().merge(p));
    }

    /**
     * Equal magnitudes straddling TIES' top-k boundary: with float32 inputs the lowest indices are kept (the radix
     * select; no full sort of a 38M-element tensor for the few elements that tie there), with inputs stored in a half
     * type torch's sort order decides, which need not be the lowest indices, but keeps as many.
     */
    @Test
    void aTiedTopKBoundaryKeepsTheLowestIndicesUnlessInputsWereHalfPrecision() {
        int n = 64;
        float[] b = new float[n];
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = i < 40 ? 0.5f : 0.001f * (i - 39); // 40 equal magnitudes, top 32 kept at density 0.5
        }
        List<ModelTensor> one = List.of(mt("x", x, 1.0, 0.5));
        TensorMerge f32 = withBase(new TiesMethod(), b, one, Map.of("normalize", 0.0));
        float[] lowest = new TiesMethod().merge(f32);
        for (int i = 0; i < n; i++) {
            assertEquals(i < 32 ? 0.5f : 0f, lowest[i], "float32 inputs: element " + i);
        }
        TensorMerge half = new TensorMerge(f32.tensor(), f32.shape(), f32.inputs(), f32.base(), f32.others(),
                f32.global(), f32.seed(), false, f32.kernels(), f32.precision(), true);
        float[] torchOrder = new TiesMethod().merge(half);
        int kept = 0;
        for (int i = 0; i < n; i++) {
            kept += torchOrder[i] != 0f ? 1 : 0;
            assertTrue(torchOrder[i] == 0f || (i < 40 && torchOrder[i] == 0.5f), "element " + i);
        }
        assertEquals(32, kept);
        // libstdc++'s introsort leaves indices 12-19 of the tied run behind here, not the highest ones
        assertTrue(torchOrder[39] == 0.5f && torchOrder[12] == 0f, java.util.Arrays.toString(torchOrder));
    }

    @Test
    void tiesWithDensityOneAndOneModelIsTaskArithmetic() {
        float[] b = random(2, 5000);
        float[] x = random(3, 5000);
        List<ModelTensor> one = List.of(mt("x", x, 0.7, 1.0));
        float[] ties = new TiesMethod().merge(withBase(new TiesMethod(), b, one, Map.of("normalize", 0.0)));
        float[] ta = new TaskArithmeticMethod().merge(withBase(new TaskArithmeticMethod(), b, one, Map.of()));
        assertArrayEquals(ta, ties);
    }

    @Test
    void dareWithDensityOneIsItsNonDareCounterpart() {
        float[] b = random(4, 4000);
        List<ModelTensor> in = List.of(mt("x", random(5, 4000), 0.6, 1.0), mt("y", random(6, 4000), 0.4, 1.0),
                mt("z", random(7, 4000), -0.3, 1.0));
        assertArrayEquals(new TaskArithmeticMethod().merge(withBase(new TaskArithmeticMethod(), b, in, Map.of())),
                new DareLinearMethod().merge(withBase(new DareLinearMethod(), b, in, Map.of())));
        assertArrayEquals(new TiesMethod().merge(withBase(new TiesMethod(), b, in, Map.of("normalize", 0.0))),
                new DareTiesMethod().merge(withBase(new DareTiesMethod(), b, in, Map.of())));
    }

    @Test
    void normalizedWeightsAreScaleInvariant() {
        float[] b = random(8, 3000);
        float[] x = random(9, 3000);
        float[] y = random(10, 3000);
        for (MergeMethod m : List.of(new LinearMethod(), new TiesMethod(), new TaskArithmeticMethod())) {
            float[] r1 = m.merge(merge(m, b, List.of(mt("x", x, 0.6, 0.7), mt("y", y, 0.4, 0.7))));
            float[] r2 = m.merge(merge(m, b, List.of(mt("x", x, 6.0, 0.7), mt("y", y, 4.0, 0.7))));
            // the weights are divided by their sum (1 or 10) before or while mixing: float32 rounding of the
            // normalised weights, a few ulps of inputs ~N(0, 1)
            Tolerance.relative(1e-5, 1e-6).assertClose(r1, r2, m.name());
        }
    }

    /** Linear has no base: the models are its inputs. */
    private static TensorMerge merge(MergeMethod m, float[] b, List<ModelTensor> in) {
        if (m instanceof LinearMethod) {
            return new TensorMerge("t", new long[] {b.length}, in, null, in, Map.of("normalize", 1.0), 0);
        }
        return withBase(m, b, in, Map.of("normalize", 1.0));
    }

    @Test
    void dareKeepsAboutDensityAndMatchesL1Norm() {
        float[] b = new float[20000];
        float[] x = random(11, 20000);
        float[] r = new DareLinearMethod().merge(withBase(new DareLinearMethod(), b,
                List.of(mt("x", x, 1.0, 0.3)), Map.of()));
        int kept = 0;
        double l1 = 0;
        double l1x = 0;
        for (int i = 0; i < r.length; i++) {
            kept += r[i] != 0 ? 1 : 0;
            l1 += Math.abs(r[i]);
            l1x += Math.abs(x[i]);
        }
        assertEquals(0.3, kept / 20000.0, 0.015);
        assertEquals(1.0, l1 / l1x, 1e-5);
    }

    @Test
    void randomSelectPerTensorAndPerElement() {
        float[] a = new float[1000];
        float[] c = new float[1000];
        java.util.Arrays.fill(c, 1f);
        List<ModelTensor> in = List.of(new ModelTensor("a", a, Map.of("weight", 0.25)),
                new ModelTensor("c", c, Map.of("weight", 0.75)));
        RandomSelectMethod rs = new RandomSelectMethod();
        float[] whole = rs.merge(new TensorMerge("t", new long[] {1000}, in, null, in, Map.of("per_element", 0.0), 3));
        assertTrue(java.util.Arrays.equals(whole, a) || java.util.Arrays.equals(whole, c));
        float[] elem = rs.merge(new TensorMerge("t", new long[] {1000}, in, null, in, Map.of("per_element", 1.0), 3));
        double mean = 0;
        for (float v : elem) {
            mean += v / 1000.0;
        }
        assertEquals(0.75, mean, 0.06);
        assertArrayEquals(elem, rs.merge(new TensorMerge("t", new long[] {1000}, in, null, in,
                Map.of("per_element", 1.0), 3)));
    }

    @Test
    void sameSeedGivesBitIdenticalOutputWithOneOrFourThreads(@TempDir Path tmp) throws IOException {
        Path recipe = MergeFixtures.recipe(tmp, "dare", """
                merge_method: dare_ties
                base_model: ${base}
                models:
                  - model: ${v1}
                    parameters: {weight: 0.6, density: 0.4}
                  - model: ${v2}
                    parameters: {weight: 0.5, density: 0.6}
                dtype: float32
                """);
        MergeEngine engine = MergeEngine.withDefaultMethods();
        Path one = engine.run(recipe, tmp.resolve("one"), 5, MergeRunner.Options.defaults().withThreads(1));
        Path four = engine.run(recipe, tmp.resolve("four"), 5, MergeRunner.Options.defaults().withThreads(4));
        Path other = engine.run(recipe, tmp.resolve("other"), 6, MergeRunner.Options.defaults().withThreads(4));
        byte[] a = Files.readAllBytes(one.resolve("model.safetensors"));
        assertArrayEquals(a, Files.readAllBytes(four.resolve("model.safetensors")));
        assertNotEquals(java.util.Arrays.hashCode(a),
                java.util.Arrays.hashCode(Files.readAllBytes(other.resolve("model.safetensors"))));
    }

    @Test
    void linearOfIdenticalCheckpointsIsIdentityEndToEnd(@TempDir Path tmp) throws IOException {
        Path recipe = MergeFixtures.recipe(tmp, "lin", """
                merge_method: linear
                models:
                  - model: ${v1}
                    parameters: {weight: 0.3}
                  - model: ${v1}/.
                    parameters: {weight: 0.7}
                """);
        Path out = MergeEngine.withDefaultMethods().run(recipe, tmp.resolve("out"), 0, MergeRunner.Options.defaults());
        CheckpointDir got = CheckpointDir.open(out);
        CheckpointDir v1 = CheckpointDir.open(MergeFixtures.goldenModels().get("v1"));
        for (String n : List.of("h.0.attn.c_attn.weight", "wpe.weight", "score.weight")) {
            close(v1.readCanonical(n).data(), got.readCanonical(n).data());
        }
        assertTrue(Files.isRegularFile(out.resolve("README.md")));
        assertTrue(Files.readString(out.resolve("README.md")).contains("score.weight was merged"));
        assertTrue(Files.isRegularFile(out.resolve(MergeOutputs.RECIPE_COPY)));
        assertTrue(Files.readString(out.resolve(MergeOutputs.MANIFEST)).contains("model.safetensors"));
    }

    // nuslerp, multislerp, karcher

    static TensorMerge spherical(MergeMethod m, long[] shape, float[] base, List<ModelTensor> others,
            Map<String, Double> overrides) {
        Map<String, Double> g = new java.util.HashMap<>();
        for (ParamSpec p : m.parameters()) {
            if (!p.perModel() && p.defaultValue() != null) {
                g.put(p.name(), p.defaultValue());
            }
        }
        g.putAll(overrides);
        ModelTensor b = base == null ? null : new ModelTensor("base", base, Map.of());
        List<ModelTensor> all = new ArrayList<>(others);
        if (b != null) {
            all.add(b);
        }
        return new TensorMerge("t", shape, all, b, others, g, 0);
    }

    static ModelTensor weighted(String name, float[] data, double weight) {
        return new ModelTensor(name, data, Map.of("weight", weight));
    }

    @Test
    void nuslerpWithoutBaseIsSlerpAtTheWeightsRatio() {
        float[] a = random(11, 64);
        float[] b = random(12, 64);
        float[] got = new NuslerpMethod().merge(spherical(new NuslerpMethod(), new long[] {64}, null,
                List.of(weighted("a", a, 0.7), weighted("b", b, 0.3)), Map.of()));
        float[] want = new SlerpMethod().merge(new TensorMerge("t", new long[] {64}, List.of(), new ModelTensor("a", a,
                Map.of()), List.of(new ModelTensor("b", b, Map.of())), Map.of("t", 0.3), 0));
        WITH_REDUCTIONS.assertClose(want, got, "nuslerp vs slerp");
    }

    @Test
    void nuslerpRowsAndRowWiseAreSlerpsOfTheRowsAndColumns() {
        long[] shape = {3, 4};
        float[] base = random(20, 12);
        float[] a = random(21, 12);
        float[] b = random(22, 12);
        NuslerpMethod m = new NuslerpMethod();
        List<ModelTensor> two = List.of(weighted("a", a, 1), weighted("b", b, 3));
        float[] rows = m.merge(spherical(m, shape, base, two, Map.of("nuslerp_flatten", 0.0)));
        float[] cols = m.merge(spherical(m, shape, base, two, Map.of("nuslerp_flatten", 0.0,
                "nuslerp_row_wise", 1.0)));
        for (int r = 0; r < 3; r++) { // each row of 4 alone
            int[] idx = {4 * r, 4 * r + 1, 4 * r + 2, 4 * r + 3};
            ELEMENTWISE.assertClose(pick(m.merge(spherical(m, new long[] {4}, pick(base, idx),
                    List.of(weighted("a", pick(a, idx), 1), weighted("b", pick(b, idx), 3)), Map.of())), null),
                    pick(rows, idx), "row " + r);
        }
        for (int c = 0; c < 4; c++) { // row_wise: mergekit's dim 0, each column of 3 alone
            int[] idx = {c, 4 + c, 8 + c};
            ELEMENTWISE.assertClose(pick(m.merge(spherical(m, new long[] {3}, pick(base, idx),
                    List.of(weighted("a", pick(a, idx), 1), weighted("b", pick(b, idx), 3)), Map.of())), null),
                    pick(cols, idx), "column " + c);
        }
        float[] whole = m.merge(spherical(m, shape, base, two, Map.of()));
        assertNotEquals(java.util.Arrays.toString(whole), java.util.Arrays.toString(rows));
    }

    static float[] pick(float[] x, int[] idx) {
        if (idx == null) {
            return x;
        }
        float[] r = new float[idx.length];
        for (int i = 0; i < idx.length; i++) {
            r[i] = x[idx[i]];
        }
        return r;
    }

    @Test
    void multislerpOfParallelInputsKeepsTheirDirectionAtTheWeightedNorm() {
        float[] x = random(30, 100);
        float[] twice = new float[100];
        for (int i = 0; i < 100; i++) {
            twice[i] = 2 * x[i];
        }
        MultislerpMethod m = new MultislerpMethod();
        float[] got = m.merge(spherical(m, new long[] {100}, null, List.of(weighted("x", x, 1),
                weighted("2x", twice, 3)), Map.of()));
        float[] want = new float[100];
        for (int i = 0; i < 100; i++) {
            want[i] = 1.75f * x[i]; // norms 1 and 2 at weights 1/4 and 3/4
        }
        WITH_REDUCTIONS.assertClose(want, got, "multislerp");
        float[] one = m.merge(spherical(m, new long[] {100}, random(31, 100), List.of(weighted("x", x, 5)),
                Map.of()));
        assertArrayEquals(x, one, "one model is returned as it is, base or not");
    }

    @Test
    void multislerpOfCancellingInputsFallsBackForTwoAndFailsForMore() {
        float[] x = random(40, 10);
        float[] minus = new float[10];
        for (int i = 0; i < 10; i++) {
            minus[i] = -x[i];
        }
        MultislerpMethod m = new MultislerpMethod();
        float[] lin = m.merge(spherical(m, new long[] {10}, null, List.of(weighted("x", x, 1),
                weighted("-x", minus, 1)), Map.of()));
        close(new float[10], lin);
        MergeException e = org.junit.jupiter.api.Assertions.assertThrows(MergeException.class, () -> m.merge(
                spherical(m, new long[] {10}, x, List.of(weighted("a", x.clone(), 1), weighted("b", x.clone(), 1),
                        weighted("c", x.clone(), 1)), Map.of())));
        assertTrue(e.getMessage().contains("weighted sum of the unit-norm inputs is zero"), e.getMessage());
    }

    @Test
    void karcherMeanOfTwoOrthogonalVectorsAndAZeroTensor() {
        KarcherMethod m = new KarcherMethod();
        float[] got = m.merge(new TensorMerge("t", new long[] {2}, List.of(new ModelTensor("x", new float[] {2, 0},
                Map.of()), new ModelTensor("y", new float[] {0, 2}, Map.of()), new ModelTensor("z", new float[2],
                Map.of())), null, List.of(), Map.of("max_iter", 10.0, "tol", 1e-5), 0));
        // the zero tensor leaves the direction alone but counts in the scale, as in mergekit: (2 + 2 + 0) / 3
        float c = (float) (4.0 / 3 / Math.sqrt(2));
        WITH_REDUCTIONS.assertClose(new float[] {c, c}, got, "karcher");
        float[] x = random(50, 300);
        float[] same = m.merge(new TensorMerge("t", new long[] {300}, List.of(new ModelTensor("a", x, Map.of()),
                new ModelTensor("b", x.clone(), Map.of())), null, List.of(), Map.of("max_iter", 10.0, "tol", 1e-5), 0));
        WITH_REDUCTIONS.assertClose(x, same, "karcher of identical inputs");
    }
}
