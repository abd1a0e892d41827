package io.mergelab.merge;

import io.mergelab.model.checkpoint.DType;
import io.mergelab.model.checkpoint.HalfFloats;

import java.util.Collection;
import java.util.Locale;

/**
 * The dtype one tensor is computed in, with the rounding torch applies on the CPU (torch 2.15; checked by
 * tools/golden/check_torch_dtype_rules.py, listed in docs/adding-a-merge-method.md): an element-wise op on bfloat16 / float16 tensors computes in float32
 * and rounds its result to the type (nearest, ties to even); a Python float operand stays a float32 scalar; a
 * reduction (sum, mean, norm) accumulates in float32 and rounds once. A method mirrors mergekit's op sequence and calls
 * {@link #round} wherever a torch op returns a tensor of this type. {@link #FLOAT32} rounds nothing; methods branch on
 * {@link #reduced()} once per tensor, so the float32 path keeps its fused loops.
 */
public enum Precision {
    FLOAT32(DType.F32),
    BFLOAT16(DType.BF16),
    FLOAT16(DType.F16);

    private final DType dtype;

    Precision(DType dtype) {
        this.dtype = dtype;
    }

    public DType dtype() {
        return dtype;
    }

    /** The recipe spelling: {@code float32}, {@code bfloat16}, {@code float16}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean reduced() {
        return this != FLOAT32;
    }

    /** {@code x} as a tensor of this type holds it (torch's {@code x.to(dtype)}). */
    public float round(float x) {
        return switch (this) {
            case FLOAT32 -> x;
            case BFLOAT16 -> HalfFloats.roundToBf16(x);
            case FLOAT16 -> HalfFloats.roundToF16(x);
        };
    }

    /** A reduction's result: accumulated in double here (torch: float32), rounded to float32, then to this type. */
    public float roundSum(double sum) {
        return round((float) sum);
    }

    /** Rounds every element in place. */
    public void round(float[] a) {
        if (this == FLOAT32) {
            return;
        }
        for (int i = 0; i < a.length; i++) {
            a[i] = round(a[i]);
        }
    }

    /** The precision of a tensor stored as {@code d} (F32, BF16 or F16). */
    public static Precision of(DType d) {
        return switch (d) {
            case F32 -> FLOAT32;
            case BF16 -> BFLOAT16;
            case F16 -> FLOAT16;
            default -> throw new IllegalArgumentException("no compute precision for dtype " + d);
        };
    }

    /** A recipe's {@code dtype:} value. */
    public static Precision named(String dtype) {
        return switch (dtype) {
            case "float32" -> FLOAT32;
            case "bfloat16" -> BFLOAT16;
            case "float16" -> FLOAT16;
            default -> throw new IllegalArgumentException("unknown dtype '" + dtype + "'");
        };
    }

    /**
     * What mergekit computes inputs of these dtypes in when the recipe sets no {@code dtype:} ({@code torch.promote_types}
     * over the group): one dtype stays as it is; any two different ones, BF16 with F16 included, give float32.
     */
    public static Precision promoted(Collection<DType> dtypes) {
        Precision p = null;
        for (DType d : dtypes) {
            Precision q = d == DType.BF16 ? BFLOAT16 : d == DType.F16 ? FLOAT16 : FLOAT32;
            p = p == null || p == q ? q : FLOAT32;
        }
        return p == null ? FLOAT32 : p;
    }
}
