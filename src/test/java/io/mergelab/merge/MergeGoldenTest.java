package io.mergelab.merge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mergelab.model.checkpoint.CheckpointDir;
import io.mergelab.model.checkpoint.DType;
import io.mergelab.model.checkpoint.HalfFloats;
import io.mergelab.model.checkpoint.TensorInfo;
import io.mergelab.testutil.Tolerance;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Parity with mergekit (golden/merge/merge-golden.json, written by tools/golden/make_merge_golden.py):
 * the same recipes on the same checkpoints must give the same tensors, within {@link #ELEMENTWISE} in float32 and
 * bit for bit in bfloat16 / float16 ({@link #matchesMergekitInDtype}).
 */
class MergeGoldenTest {
    /** Element-wise float32 arithmetic on both sides (a weighted sum of up to 4 inputs, a division): a few ulps of
     * the result; the floor is ~1 ulp of the inputs (|x| <= ~1), for results that cancel to near zero. linear: torch's
     * addcmul_ fuses multiply and add, mergelab's float32 kernels do not (1 ulp in a third of the elements); slerp: its
     * coefficients follow torch's float32 reductions but not SLEEF's acos/sin (1 ulp of a coefficient, seen 0.02 of
     * this; it used 3e-6 relative with double-precision coefficients). nuslerp, multislerp and karcher take
     * whole-tensor norms and dot products too, yet this holds: they follow torch's float32 norm and each element-wise
     * float32 step in mergekit's order; only sums of products (torch's near-exact cascade sum, karcher's BLAS sdot)
     * are taken in double. Seen at most 0.42 of it (nuslerp row-wise: a score column whose task vectors are nearly
     * antiparallel, sin(theta) = 0.004). */
    static final Tolerance ELEMENTWISE = Tolerance.relative(1e-6, 1e-7);
    static JsonNode golden;
    /** DARE's L1 rescale, on different random masks: each side's ratio is 1 up to float32 rounding of the rescaled
     * entries, unbiased over 1e5..1e6 elements (mergekit's: 1 - 5e-8 and 1 + 2e-8; ours seen 1.1e-7 from theirs). */
    static final Tolerance L1_RATIO = Tolerance.relative(1e-6, 0);
    /**
     * Slerp in bfloat16 / float16: mergekit computes it in float32 and rounds once, like mergelab, from two coefficients
     * that mergelab derives in torch's float32 order (TorchReductions), except acos and sin: torch's SLEEF kernels are
     * within one float32 ulp but not correctly rounded (8 % / 4 % of arguments, measured), so a coefficient can be one
     * ulp (6e-8) off and an element within that of a rounding midpoint rounds the other way. Seen: bfloat16 none,
     * float16 27 of 6.9M elements (4e-6), each one ulp. Allowed: one ulp, in at most this fraction of sampled values.
     */
    static final double SLERP_DTYPE_FLIPS = 1e-3;

    @TempDir
    Path tmp;

    @BeforeAll
    static synchronized void load() throws IOException {
        if (golden != null) {
            return;
        }
        try (InputStream in = MergeGoldenTest.class.getResourceAsStream("/golden/merge/merge-golden.json")) {
            golden = new ObjectMapper().readTree(in);
        }
    }

    @Test
    void fixturesMatchTheGoldenScriptInputs() throws IOException {
        CheckpointDir v1 = CheckpointDir.open(MergeFixtures.goldenModels().get("v1"));
        Iterator<Map.Entry<String, JsonNode>> it = golden.get("inputs_check").fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            double sum = 0;
            for (float f : v1.readCanonical(e.getKey()).data()) {
                sum += f;
            }
            assertEquals(e.getValue().get("v1_sum_f64").asDouble(), sum, 0.0, "input drift in " + e.getKey());
        }
    }

    /** Every case the golden script wrote (a method, or a method with interesting parameters). */
    static Stream<String> goldenCases() throws IOException {
        load();
        List<String> cases = new ArrayList<>();
        golden.get("methods").fieldNames().forEachRemaining(cases::add);
        return cases.stream();
    }

    /** Every method this build registers that mergekit also has is checked against it, by a case or statistics. */
    @Test
    void everyMethodAlsoInMergekitHasAGoldenCase() {
        Set<String> checked = new TreeSet<>();
        golden.get("methods").forEach(m -> checked.add(mergeMethod(m.get("recipe").asText())));
        golden.fields().forEachRemaining(e -> {
            if (e.getValue().has("stats")) {
                checked.add(mergeMethod(e.getValue().get("recipe").asText()));
            }
        });
        Set<String> missing = new TreeSet<>();
        golden.get("mergekit_methods").forEach(n -> missing.add(n.asText()));
        missing.retainAll(MethodRegistry.load().names());
        missing.removeAll(checked);
        assertTrue(missing.isEmpty(), "registered methods mergekit has but merge-golden.json does not check: " + missing
                + " (add recipes to tools/golden/make_merge_golden.py)");
    }

    private static String mergeMethod(String recipe) {
        return recipe.lines().filter(l -> l.startsWith("merge_method:")).findFirst().orElseThrow()
                .substring("merge_method:".length()).strip();
    }

    @ParameterizedTest
    @MethodSource("goldenCases")
    void matchesMergekit(String method) throws IOException {
        JsonNode m = golden.get("methods").get(method);
        Path recipe = MergeFixtures.recipe(tmp, method, m.get("recipe").asText());
        Path out = MergeEngine.withDefaultMethods().run(recipe, tmp.resolve("out"), 0,
                MergeRunner.Options.defaults().withThreads(2));
        CheckpointDir dir = CheckpointDir.open(out);
        Tolerance tol = ELEMENTWISE;
        // tensors checked by their masks instead (arcee_fusion): values are the base or the other model's
        Set<String> byMask = new TreeSet<>();
        for (String k : List.of("masks", "sampled_quantiles")) {
            if (m.has(k)) {
                m.get(k).fieldNames().forEachRemaining(byMask::add);
            }
        }
        if (m.has("masks")) {
            checkMasks(dir, m.get("masks"), method);
        }
        if (m.has("sampled_quantiles")) {
            checkSampledMasks(dir, m.get("sampled_quantiles"), method, m.get("recipe").asText(), Precision.FLOAT32);
        }
        double worst = 0;
        double maxAbs = 0;
        Iterator<Map.Entry<String, JsonNode>> it = m.get("tensors").fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            if (byMask.contains(e.getKey())) {
                continue;
            }
            float[] got = read(dir, e.getKey());
            int stride = e.getValue().get("stride").asInt();
            JsonNode values = e.getValue().get("values");
            for (int j = 0; j < values.size(); j++) {
                float want = Float.parseFloat(values.get(j).asText());
                float g = got[j * stride];
                worst = Math.max(worst, tol.assertClose(want, g,
                        method + ": " + e.getKey() + "[" + (j * stride) + "]"));
                maxAbs = Math.max(maxAbs, Math.abs(g - want));
            }
        }
        Iterator<Map.Entry<String, JsonNode>> sums = m.get("sums").fields();
        int n = 0;
        while (sums.hasNext()) {
            Map.Entry<String, JsonNode> e = sums.next();
            n++;
            if (byMask.contains(e.getKey())) {
                continue;
            }
            float[] got = read(dir, e.getKey());
            double s = 0;
            double a = 0;
            for (float f : got) {
                s += f;
                a += Math.abs(f);
            }
            double wantAbs = e.getValue().get("abs_sum").asDouble();
            // each element may be off by tol: the sums by tol's relative part of the L1 norm (a signed sum
            // cancels, its own magnitude says nothing) plus n floors
            Tolerance.relative(tol.rel(), tol.abs() * got.length).assertClose(wantAbs, a,
                    method + ": abs sum of " + e.getKey());
            Tolerance.relative(0, tol.rel() * wantAbs + tol.abs() * got.length).assertClose(
                    e.getValue().get("sum").asDouble(), s, method + ": sum of " + e.getKey());
        }
        assertEquals(n, dir.tensors().size(), method + ": tensor count differs from mergekit's");
        System.out.printf("golden %s: max |diff| %.3g, worst fraction of tolerance used %.3f%n", method, maxAbs, worst);
    }

    /**
     * The output is base + (other - base)·mask with mergekit's mask, except where mergekit's importance lies within
     * the golden script's ARCEE_NEAR (2e-3 relative) of its threshold: there torch's float32 KL divergence (5.4e-4
     * relative from float64 at worst on these fixtures) and our double one may decide differently.
     */
    private void checkMasks(CheckpointDir dir, JsonNode masks, String method) throws IOException {
        MaskInputs in = maskInputs(golden.get("methods").get(method).get("recipe").asText());
        int flips = 0;
        int kept = 0;
        Iterator<Map.Entry<String, JsonNode>> it = masks.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            float[] got = read(dir, e.getKey());
            float[] b = read(in.base(), e.getKey());
            float[] x = read(in.other(), e.getKey());
            Set<Integer> keep = ints(e.getValue().get("kept"));
            Set<Integer> near = ints(e.getValue().get("near"));
            kept += keep.size();
            for (int i = 0; i < got.length; i++) {
                float want = keep.contains(i) ? b[i] + (x[i] - b[i]) : b[i];
                if (Float.compare(want + 0f, got[i] + 0f) != 0) {
                    float other = keep.contains(i) ? b[i] : b[i] + (x[i] - b[i]);
                    assertTrue(near.contains(i) && Float.compare(other + 0f, got[i] + 0f) == 0, method + ": "
                            + e.getKey() + "[" + i + "] is " + got[i] + ", mergekit's " + want + " (kept by mergekit: "
                            + keep.contains(i) + ", importance within 2e-3 of its threshold: " + near.contains(i) + ")");
                    flips++;
                }
            }
        }
        System.out.printf("golden %s: %d elements kept by mergekit in the exactly checked tensors, %d near-threshold"
                + " flips%n", method, kept, flips);
    }

    /**
     * Above 10^6 elements mergekit takes the quantiles from 10^6 random draws: every element is still the base or
     * base + (other - base) (in {@code p}: the inputs cast to it, each op rounded), and the kept count must lie within
     * 6 standard deviations (plus 1 for rounding) of its mean over the golden script's torch seeds.
     */
    private void checkSampledMasks(CheckpointDir dir, JsonNode sampled, String what, String recipe, Precision p)
            throws IOException {
        MaskInputs in = maskInputs(recipe);
        Iterator<Map.Entry<String, JsonNode>> it = sampled.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            float[] got = read(dir, e.getKey());
            float[] b = read(in.base(), e.getKey());
            float[] x = read(in.other(), e.getKey());
            p.round(b);
            p.round(x);
            int kept = 0;
            for (int i = 0; i < got.length; i++) {
                boolean isBase = Float.compare(got[i] + 0f, b[i] + 0f) == 0;
                float changed = p.round(b[i] + p.round(x[i] - b[i]));
                if (!isBase && Float.compare(got[i] + 0f, changed + 0f) != 0) {
                    fail(what + ": " + e.getKey() + "[" + i + "] is " + got[i] + ", neither the base's " + b[i]
                            + " nor base + (other - base) " + changed);
                }
                kept += isBase ? 0 : 1;
            }
            double mean = e.getValue().get("kept_mean").asDouble();
            double sd = e.getValue().get("kept_sd").asDouble();
            assertTrue(Math.abs(kept - mean) <= 6 * sd + 1, what + ": " + e.getKey() + " keeps " + kept
                    + " elements; mergekit " + e.getValue().get("kept").asInt() + ", over torch seeds " + mean + " ± "
                    + sd);
            System.out.printf("golden %s: %s keeps %d (mergekit %d, %.1f ± %.1f over %d seeds)%n", what, e.getKey(),
                    kept, e.getValue().get("kept").asInt(), mean, sd, e.getValue().get("seeds").asInt());
        }
    }

    /** The base and the one other model of a two-model recipe. */
    private record MaskInputs(CheckpointDir base, CheckpointDir other) {
    }

    private static MaskInputs maskInputs(String recipe) throws IOException {
        Map<String, Path> models = MergeFixtures.goldenModels();
        String other = recipe.lines().filter(l -> l.strip().startsWith("- model: ${")).map(l -> l.strip()
                .substring("- model: ${".length(), l.strip().length() - 1)).filter(k -> !k.equals("base"))
                .findFirst().orElseThrow();
        return new MaskInputs(CheckpointDir.open(models.get("base")), CheckpointDir.open(models.get(other)));
    }

    private static Set<Integer> ints(JsonNode array) {
        Set<Integer> out = new java.util.HashSet<>();
        array.forEach(v -> out.add(v.asInt()));
        return out;
    }

    /**
     * DELLA's keep probability is (density - epsilon) + 2·epsilon·rank/(n-1) within each row: the kept fractions
     * overall (density on average) and in each row's upper and lower half by |delta| (about density ± epsilon/2)
     * match mergekit's within binomial noise, and rescale: true matches the L1 norm.
     */
    @Test
    void dellaLinearStatisticsMatchMergekit(@TempDir Path t) throws IOException {
        for (StatsTensor st : statsTensors(t, "della_linear_density_0.5_stats", "della")) {
            Map.Entry<String, JsonNode> e = Map.entry(st.name(), st.golden());
            float[] m = st.merged();
            float[] b = st.base();
            float[] x = st.v1();
            int row = st.rowLength();
            long[] kept = new long[2];
            long[] count = new long[2];
            double l1 = 0;
            double l1orig = 0;
            for (int r = 0; r < m.length; r += row) {
                double[] a = new double[row];
                for (int j = 0; j < row; j++) {
                    a[j] = Math.abs(x[r + j] - b[r + j]); // the float32 delta, as mergekit ranks it
                }
                double[] sorted = a.clone();
                java.util.Arrays.sort(sorted);
                double median = row % 2 == 1 ? sorted[row / 2] : (sorted[row / 2 - 1] + sorted[row / 2]) / 2;
                for (int j = 0; j < row; j++) {
                    int i = r + j;
                    double dm = (double) m[i] - b[i];
                    int half = a[j] > median ? 1 : 0;
                    count[half]++;
                    kept[half] += Math.abs(dm) > 1e-12 ? 1 : 0;
                    l1 += Math.abs(dm);
                    l1orig += Math.abs((double) x[i] - b[i]);
                }
            }
            double frac = (double) (kept[0] + kept[1]) / m.length;
            assertTrue(Math.abs(frac - 0.5) < 5 * Math.sqrt(0.25 / m.length), e.getKey() + ": kept fraction " + frac);
            String[] names = {"kept_fraction_lower_half", "kept_fraction_upper_half"};
            for (int h = 0; h < 2; h++) {
                double f = (double) kept[h] / count[h];
                double mk = e.getValue().get(names[h]).asDouble();
                double sigma = Math.sqrt(f * (1 - f) / count[h]);
                assertTrue(Math.abs(f - mk) < 10 * sigma, e.getKey() + ": " + names[h] + " " + f + " vs mergekit " + mk);
            }
            assertTrue((double) kept[1] / count[1] - (double) kept[0] / count[0] > 0.15,
                    e.getKey() + ": larger magnitudes must be kept more often (epsilon 0.2)");
            L1_RATIO.assertClose(e.getValue().get("l1_ratio").asDouble(), l1 / l1orig, e.getKey() + ": L1 norm matching");
        }
    }

    /** The golden's {@code dtypes} block: bfloat16 / float16 computation and mixed input dtypes, one case each. */
    static Stream<String> dtypeCases() throws IOException {
        load();
        List<String> names = new ArrayList<>();
        golden.get("dtypes").get("cases").fieldNames().forEachRemaining(names::add);
        return names.stream();
    }

    /**
     * In bfloat16 / float16 (and for F32 + BF16 inputs, promoted to float32) every tensor must be mergekit's bit for
     * bit: the sha256 of each output tensor's bytes, which covers the TIES / breadcrumbs selection among the thousands
     * of equal bfloat16 magnitudes, and the output dtype. Slerp is the exception, see {@link #SLERP_DTYPE_FLIPS}, and
     * arcee_fusion's tensors over 10^6 elements, whose quantiles mergekit takes from random draws
     * ({@link #checkSampledMasks}).
     */
    @ParameterizedTest
    @MethodSource("dtypeCases")
    void matchesMergekitInDtype(String name) throws IOException {
        JsonNode c = golden.get("dtypes").get("cases").get(name);
        Path recipe = MergeFixtures.recipe(tmp, name, c.get("recipe").asText());
        Path out = MergeEngine.withDefaultMethods().run(recipe, tmp.resolve("out"), 0,
                MergeRunner.Options.defaults().withThreads(2));
        CheckpointDir dir = CheckpointDir.open(out);
        assertEquals(c.get("sha256").size(), dir.tensors().size(), name + ": tensor count differs from mergekit's");
        List<String> differing = new ArrayList<>();
        // arcee_fusion above 10^6 elements: mergekit's quantiles come from random draws, so statistics only
        Set<String> sampledMasks = new TreeSet<>();
        if (c.has("sampled_quantiles")) {
            c.get("sampled_quantiles").fieldNames().forEachRemaining(sampledMasks::add);
            checkSampledMasks(dir, c.get("sampled_quantiles"), name, c.get("recipe").asText(),
                    Precision.named(c.get("recipe").asText().lines().filter(l -> l.startsWith("dtype:"))
                            .findFirst().orElseThrow().substring("dtype:".length()).strip()));
        }
        Iterator<Map.Entry<String, JsonNode>> it = c.get("sha256").fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            TensorInfo info = dir.tensorByCanonicalName(e.getKey()).orElseThrow(() -> new AssertionError(e.getKey()));
            assertEquals(Precision.named(c.get("dtype").get(e.getKey()).asText()).dtype(), info.dtype(),
                    name + ": dtype of " + e.getKey());
            if (!sampledMasks.contains(e.getKey()) && !e.getValue().asText().equals(sha256(info))) {
                differing.add(e.getKey());
            }
        }
        // sampled values, for a readable diagnosis: how many differ and by how many units in the last place
        int sampled = 0;
        int off = 0;
        int worstUlps = 0;
        String first = "";
        Iterator<Map.Entry<String, JsonNode>> t = c.get("tensors").fields();
        while (t.hasNext()) {
            Map.Entry<String, JsonNode> e = t.next();
            if (sampledMasks.contains(e.getKey())) {
                continue;
            }
            TensorInfo info = dir.tensorByCanonicalName(e.getKey()).orElseThrow();
            float[] got = dir.readFloat32(info);
            int stride = e.getValue().get("stride").asInt();
            JsonNode values = e.getValue().get("values");
            for (int j = 0; j < values.size(); j++, sampled++) {
                float want = Float.parseFloat(values.get(j).asText());
                int ulps = ulps(info.dtype(), want, got[j * stride]);
                if (ulps != 0) {
                    if (off++ == 0) {
                        first = e.getKey() + "[" + j * stride + "]: mergekit " + want + ", mergelab " + got[j * stride];
                    }
                    worstUlps = Math.max(worstUlps, ulps);
                }
            }
        }
        System.out.printf("golden %s: %d of %d tensors differ from mergekit's bytes; %d of %d sampled values (max %d"
                + " ulp)%n", name, differing.size(), c.get("sha256").size(), off, sampled, worstUlps);
        if (name.startsWith("slerp")) {
            assertTrue(worstUlps <= 1, name + ": a sampled value is " + worstUlps + " ulps off; first: " + first);
            assertTrue(off <= SLERP_DTYPE_FLIPS * sampled, name + ": " + off + " of " + sampled + " sampled values "
                    + "differ by one ulp; first: " + first);
            return;
        }
        assertEquals(List.of(), differing, name + ": tensors not bit-identical to mergekit's (" + off + " of "
                + sampled + " sampled values differ, max " + worstUlps + " ulp; first " + first + ")"
                + (name.contains("ties") || name.contains("breadcrumbs") ? "; a different selection among equal "
                + "magnitudes shows as whole elements kept or dropped" : ""));
    }

    /** Distance of two values in units in the last place of {@code d} (both hold values of that type; -0 = +0). */
    static int ulps(DType d, float a, float b) {
        return (int) Math.min(Integer.MAX_VALUE, Math.abs(ordered(d, a) - ordered(d, b)));
    }

    /** The value's bit pattern in {@code d}, sign-magnitude turned into a line on which neighbours differ by one. */
    private static long ordered(DType d, float x) {
        long bits = switch (d) {
            case BF16 -> HalfFloats.f32ToBf16(x) & 0xffff;
            case F16 -> HalfFloats.f32ToF16(x) & 0xffff;
            default -> Float.floatToRawIntBits(x) & 0xffffffffL;
        };
        long sign = d == DType.F32 ? 0x80000000L : 0x8000L;
        return (bits & sign) != 0 ? -(bits & ~sign) : bits;
    }

    static String sha256(TensorInfo info) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        ByteBuffer buf = ByteBuffer.allocate((int) info.byteLength());
        try (FileChannel ch = FileChannel.open(info.file(), StandardOpenOption.READ)) {
            while (buf.hasRemaining()) {
                if (ch.read(buf, info.fileOffset() + buf.position()) < 0) {
                    throw new IOException(info.file() + ": truncated");
                }
            }
        }
        md.update(buf.flip());
        return HexFormat.of().formatHex(md.digest());
    }

    /** One tensor of a statistics case: mergelab's merge of the case's recipe, the base and v1, and mergekit's numbers. */
    private record StatsTensor(String name, JsonNode golden, float[] merged, float[] base, float[] v1, int rowLength) {
    }

    /** Merges a statistics case's recipe (seed 1) and reads, per tensor it records, what its checks compare. */
    private static List<StatsTensor> statsTensors(Path t, String key, String stem) throws IOException {
        JsonNode d = golden.get(key);
        Path recipe = MergeFixtures.recipe(t, stem, d.get("recipe").asText());
        Path out = MergeEngine.withDefaultMethods().run(recipe, t.resolve("out"), 1, MergeRunner.Options.defaults());
        CheckpointDir merged = CheckpointDir.open(out);
        CheckpointDir base = CheckpointDir.open(MergeFixtures.goldenModels().get("base"));
        CheckpointDir v1 = CheckpointDir.open(MergeFixtures.goldenModels().get("v1"));
        List<StatsTensor> out2 = new ArrayList<>();
        Iterator<Map.Entry<String, JsonNode>> it = d.get("stats").fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            long[] shape = merged.tensorByCanonicalName(e.getKey()).orElseThrow().shape();
            out2.add(new StatsTensor(e.getKey(), e.getValue(), read(merged, e.getKey()), read(base, e.getKey()),
                    read(v1, e.getKey()), (int) shape[shape.length - 1]));
        }
        return out2;
    }

    @Test
    void dareStatisticsMatchMergekit(@TempDir Path t) throws IOException {
        for (StatsTensor st : statsTensors(t, "dare_density_0.5_stats", "dare")) {
            Map.Entry<String, JsonNode> e = Map.entry(st.name(), st.golden());
            float[] m = st.merged();
            float[] b = st.base();
            float[] x = st.v1();
            long kept = 0;
            double l1 = 0;
            double l1orig = 0;
            for (int i = 0; i < m.length; i++) {
                double dm = (double) m[i] - b[i];
                if (Math.abs(dm) > 1e-12) {
                    kept++;
                }
                l1 += Math.abs(dm);
                l1orig += Math.abs((double) x[i] - b[i]);
            }
            double frac = (double) kept / m.length;
            double sigma = Math.sqrt(0.25 / m.length);
            double mkFrac = e.getValue().get("kept_fraction").asDouble();
            assertTrue(Math.abs(frac - 0.5) < 5 * sigma, e.getKey() + ": kept fraction " + frac);
            assertTrue(Math.abs(frac - mkFrac) < 10 * sigma, e.getKey() + ": kept " + frac + " vs mergekit " + mkFrac);
            L1_RATIO.assertClose(e.getValue().get("l1_ratio").asDouble(), l1 / l1orig,
                    e.getKey() + ": L1 norm matching");
        }
    }

    static float[] read(CheckpointDir dir, String name) {
        TensorInfo info = dir.tensorByCanonicalName(name).orElseThrow(() -> new AssertionError("missing " + name));
        return dir.readFloat32(info);
    }
}
