package io.mergelab.merge;

import io.mergelab.merge.methods.DareLinearMethod;
import io.mergelab.merge.methods.DareTiesMethod;
import io.mergelab.merge.methods.LinearMethod;
import io.mergelab.merge.methods.ModelStockMethod;
import io.mergelab.merge.methods.RandomSelectMethod;
import io.mergelab.merge.methods.SlerpMethod;
import io.mergelab.merge.methods.TaskArithmeticMethod;
import io.mergelab.merge.methods.TiesMethod;
import io.mergelab.model.checkpoint.CheckpointDir;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
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

/** Algebraic properties of the methods, and mergekit's 8-element reference vectors (shared notes, section 9). */
class MergePropertiesTest {
    static final float[] B = {0.1f, 0.2f, -0.3f, 0.4f, 0.0f, -0.1f, 0.5f, 1.0f};
    static final float[] DA = {0.5f, -1.0f, 2.0f, -3.0f, 0.1f, 0.2f, -0.05f, 4.0f};
    static final float[] DB = {-0.4f, 0.3f, 1.0f, 2.5f, -0.2f, 0.0f, 0.6f, -1.0f};

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
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got[i], 1e-6 * Math.abs(want[i]) + 1e-7, "index " + i);
        }
    }

    @Test
    void referenceVectorsFromTheNotes() {
        float[] a = add(B, DA);
        float[] bm = add(B, DB);
        List<ModelTensor> two = List.of(mt("A", a, 0.6, 0.5), mt("B", bm, 0.4, 0.5));
        close(new float[] {0.24f, -0.28f, 1.3f, -0.4000001f, -0.02f, 0.02f, 0.71f, 3.0f},
                new TaskArithmeticMethod().merge(withBase(new TaskArithmeticMethod(), B,
                        List.of(mt("A", a, 0.6, 1), mt("B", bm, 0.4, 1)), Map.of())));
        close(new float[] {0.1f, -0.8f, 1.3f, -2.6f, 0.0f, -0.1f, 1.1f, 5.0f},
                new TiesMethod().merge(withBase(new TiesMethod(), B, two, Map.of())));
        close(new float[] {0.1f, -0.4f, 1.3f, -1.4000001f, 0.0f, -0.1f, 0.74f, 3.4000001f},
                new TiesMethod().merge(withBase(new TiesMethod(), B, two, Map.of("normalize", 0.0))));
        close(new float[] {0.1f, -0.8850001f, 1.4725883f, -2.855f, 0.0f, -0.1f, 1.2058823f, 5.3400002f},
                new TiesMethod().merge(withBase(new TiesMethod(), B, two, Map.of("rescale", 1.0))));
        // slerp t=0.3, base A, other Bm
        TensorMerge s = new TensorMerge("t", new long[] {8}, List.of(new ModelTensor("A", a, Map.of()),
                new ModelTensor("B", bm, Map.of())), new ModelTensor("A", a, Map.of()),
                List.of(new ModelTensor("B", bm, Map.of())), Map.of("t", 0.3), 0);
        float[] sl = new SlerpMethod().merge(s);
        float[] want = {0.4465420f, -0.5378791f, 2.1566112f, -1.0148512f, -0.0118417f, 0.0456685f, 1.0969173f,
            5.1589394f};
        for (int i = 0; i < 8; i++) {
            assertEquals(want[i], sl[i], 2e-6 * Math.abs(want[i]) + 1e-6);
        }
        float[] c = add(B, new float[] {0.3f, -0.2f, 1.5f, -1.0f, 0.05f, 0.1f, 0.2f, 2.0f});
        float[] ms = new ModelStockMethod().merge(withBase(new ModelStockMethod(), B,
                List.of(mt("A", a, 1, 1), mt("C", c, 1, 1)), Map.of()));
        float[] wantMs = {0.4912511f, -0.3868766f, 1.4117236f, -1.5562553f, 0.0733596f, 0.0467192f, 0.5733595f,
            3.9343832f};
        for (int i = 0; i < 8; i++) {
            assertEquals(wantMs[i], ms[i], 2e-6 * Math.abs(wantMs[i]) + 1e-6);
        }
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
            for (int i = 0; i < r1.length; i++) {
                assertEquals(r1[i], r2[i], 1e-5 * Math.abs(r1[i]) + 1e-6, m.name() + " index " + i);
            }
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
}
