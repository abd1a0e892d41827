package io.mergelab.merge;

import io.mergelab.merge.methods.LinearMethod;
import io.mergelab.model.checkpoint.CheckpointDir;
import io.mergelab.model.checkpoint.DType;
import io.mergelab.model.checkpoint.HalfFloats;
import io.mergelab.model.checkpoint.TensorInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a merge computes in (mergekit's dtype semantics) and what the model card says about it. Bit parity with
 * mergekit in bfloat16 / float16 is MergeGoldenTest's; this covers the choices around it.
 */
class MergeDtypeTest {
    private static final String LINEAR = """
            merge_method: linear
            models:
              - {model: ${v1}, parameters: {weight: 0.7}}
              - {model: ${v3}, parameters: {weight: 0.3}}
            """;

    @TempDir
    Path tmp;

    private Path merge(String name, String yaml) throws IOException {
        return merge(MergeEngine.withDefaultMethods(), name, yaml);
    }

    private Path merge(MergeEngine engine, String name, String yaml) throws IOException {
        Path recipe = MergeFixtures.recipe(tmp, name, yaml);
        return engine.run(recipe, tmp.resolve(name), 0, MergeRunner.Options.defaults().withThreads(2));
    }

    private static String card(Path out) throws IOException {
        return Files.readString(out.resolve("README.md"));
    }

    private static float[] tensor(Path out, String name) {
        CheckpointDir d = CheckpointDir.open(out);
        return d.readFloat32(d.tensorByCanonicalName(name).orElseThrow());
    }

    private static DType dtype(Path out) {
        return CheckpointDir.open(out).tensors().stream().map(TensorInfo::dtype).distinct().reduce((a, b) -> {
            throw new AssertionError("mixed output dtypes " + a + ", " + b);
        }).orElseThrow();
    }

    @Test
    void promotesMixedInputDtypesToFloat32AsMergekit() throws IOException {
        // v2bf16 is v2 stored as BF16: without dtype, mergekit computes F32 + BF16 in float32 and writes float32
        String mixed = """
                merge_method: linear
                models:
                  - {model: ${v1}, parameters: {weight: 0.5}}
                  - {model: ${v2bf16}, parameters: {weight: 0.5}}
                """;
        Path out = merge("mixed", mixed);
        assertEquals(DType.F32, dtype(out));
        assertTrue(card(out).contains("Computation: float32, as mergekit computes it (inputs of different dtypes "
                + "promoted to float32"), card(out));
        float[] a = tensor(MergeFixtures.goldenModels().get("v1"), "h.0.mlp.c_fc.weight");
        float[] b = tensor(MergeFixtures.goldenModels().get("v2bf16"), "h.0.mlp.c_fc.weight");
        float[] got = tensor(out, "h.0.mlp.c_fc.weight");
        for (int i = 0; i < got.length; i++) {
            assertEquals((a[i] * 0.5f + b[i] * 0.5f) / 1f, got[i], "[" + i + "]");
        }
    }

    @Test
    void computesInTheRecipeDtypeAndSaysSo() throws IOException {
        Path out = merge("bf16", LINEAR + "dtype: bfloat16\n");
        assertEquals(DType.BF16, dtype(out));
        assertTrue(card(out).contains("Computation: computed in bfloat16 as mergekit does"), card(out));
        Path f16 = merge("f16", LINEAR + "dtype: float16\nout_dtype: float32\n");
        assertEquals(DType.F32, dtype(f16));
        assertTrue(card(f16).contains("Computation: computed in float16 as mergekit does"), card(f16));
        for (float v : tensor(f16, "h.1.attn.c_attn.weight")) {
            assertEquals(v, HalfFloats.roundToF16(v), "float16 values written as float32");
        }
    }

    @Test
    void accumulateFloat32RoundsOnceAndSaysSo() throws IOException {
        Path acc = merge("acc", LINEAR + "dtype: bfloat16\naccumulate: float32\n");
        assertTrue(card(acc).contains("Computation: accumulated in float32, rounded once to bfloat16 (accumulate: "
                + "float32)"), card(acc));
        // the inputs as read, in float32, rounded once: what dtype float32 with out_dtype bfloat16 computes
        Path once = merge("once", LINEAR + "dtype: float32\nout_dtype: bfloat16\n");
        Path mergekit = merge("mk", LINEAR + "dtype: bfloat16\n");
        int differ = 0;
        for (String t : List.of("wte.weight", "h.0.attn.c_attn.weight", "h.1.mlp.c_proj.weight")) {
            float[] a = tensor(acc, t);
            assertArrayEquals(tensor(once, t), a, t);
            float[] m = tensor(mergekit, t);
            for (int i = 0; i < a.length; i++) {
                differ += a[i] != m[i] ? 1 : 0;
            }
        }
        // the inputs cast to bfloat16 first (mergekit) round differently from the float32 inputs in many elements
        assertTrue(differ > 1000, "accumulate: float32 should differ from computing in bfloat16, " + differ);
    }

    @Test
    void aMethodNotWrittenForDtypesAccumulatesInFloat32AndSaysSo() throws IOException {
        // a method from outside mergelab: the interface's default computesInDtype() is false
        MergeMethod plain = new MergeMethod() {
            private final MergeMethod linear = new LinearMethod();

            @Override
            public String name() {
                return "plain_linear";
            }

            @Override
            public List<ParamSpec> parameters() {
                return linear.parameters();
            }

            @Override
            public BasePolicy basePolicy() {
                return linear.basePolicy();
            }

            @Override
            public float[] merge(TensorMerge t) {
                assertEquals(Precision.FLOAT32, t.precision(), t.tensor());
                return linear.merge(t);
            }
        };
        Path out = merge(new MergeEngine(MethodRegistry.of(plain)), "plain",
                LINEAR.replace("linear", "plain_linear") + "dtype: bfloat16\n");
        assertEquals(DType.BF16, dtype(out));
        assertTrue(card(out).contains("Computation: accumulated in float32, rounded once to bfloat16: mergelab's "
                + "plain_linear does not compute in bfloat16 yet"), card(out));
        Path acc = merge("acc", LINEAR + "dtype: bfloat16\naccumulate: float32\n");
        assertArrayEquals(tensor(acc, "h.0.attn.c_attn.weight"), tensor(out, "h.0.attn.c_attn.weight"));
    }

    @Test
    void promotionFollowsTorch() {
        assertEquals(Precision.BFLOAT16, Precision.promoted(Set.of(DType.BF16)));
        assertEquals(Precision.FLOAT16, Precision.promoted(List.of(DType.F16, DType.F16)));
        assertEquals(Precision.FLOAT32, Precision.promoted(List.of(DType.BF16, DType.F32)));
        assertEquals(Precision.FLOAT32, Precision.promoted(List.of(DType.F16, DType.BF16)));
        // bfloat16 keeps 7 fraction bits: 1 + 2^-8 and 1 + 3·2^-8 are halfway, and go to the even neighbour
        assertEquals(1f, Precision.BFLOAT16.round(0x1.01p0f), "ties to even, down");
        assertEquals(0x1.04p0f, Precision.BFLOAT16.round(0x1.03p0f), "ties to even, up");
        assertEquals(65504f, Precision.FLOAT16.round(65519f));
        assertEquals(Float.POSITIVE_INFINITY, Precision.FLOAT16.round(65520f), "float16 overflows as torch's cast");
    }
}
