package io.mergelab.model.checkpoint;

/**
 * IEEE binary16 and bfloat16 conversions. Hand-written because Float.float16ToFloat / floatToFloat16
 * only exist from Java 20 and we target 17.
 */
public final class HalfFloats {
    private HalfFloats() {
    }

    /** binary16 bits (low 16 bits of {@code h}) to float; exact, including subnormals, inf and NaN payloads. */
    public static float f16ToF32(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1f;
        int mant = bits & 0x3ff;
        if (exp == 0) {
            // zero or subnormal: mant * 2^-24 is exact in float
            float v = mant * 0x1p-24f;
            return sign != 0 ? -v : v;
        }
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
    }

    /** float to binary16 with round-to-nearest-even; overflow gives inf, NaN stays NaN. */
    public static short f32ToF16(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int exp = (bits >>> 23) & 0xff;
        int mant = bits & 0x7fffff;
        if (exp == 0xff) {
            if (mant == 0) {
                return (short) (sign | 0x7c00);
            }
            // keep the top payload bits (so halves round-trip); if they are all zero, make it a quiet NaN, not inf
            int m = mant >>> 13;
            return (short) (sign | 0x7c00 | (m == 0 ? 0x200 : m));
        }
        int e = exp - 127 + 15;
        if (e >= 0x1f) {
            return (short) (sign | 0x7c00);
        }
        if (e <= 0) {
            if (e < -10) {
                return (short) sign; // below half the smallest subnormal: rounds to (signed) zero
            }
            int m = mant | 0x800000;
            int shift = 14 - e; // 14..24
            int r = m >>> shift;
            int rem = m & ((1 << shift) - 1);
            int halfway = 1 << (shift - 1);
            if (rem > halfway || (rem == halfway && (r & 1) != 0)) {
                r++; // may carry into the smallest normal, which is the right encoding
            }
            return (short) (sign | r);
        }
        int half = sign | (e << 10) | (mant >>> 13);
        int rem = mant & 0x1fff;
        if (rem > 0x1000 || (rem == 0x1000 && (half & 1) != 0)) {
            half++; // a carry into the exponent is correct, up to and including inf
        }
        return (short) half;
    }

    /**
     * float to bfloat16 with round-to-nearest-even, as torch's {@code .to(torch.bfloat16)}: the upper 16 bits
     * of the float32, rounded; NaN stays a (quiet) NaN, overflow rounds to inf.
     */
    public static short f32ToBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if ((bits & 0x7f800000) == 0x7f800000 && (bits & 0x7fffff) != 0) {
            return (short) ((bits >>> 16) | 0x40); // NaN: keep sign and top payload, force quiet
        }
        int lsb = (bits >>> 16) & 1;
        return (short) ((bits + 0x7fff + lsb) >>> 16);
    }

    /** bfloat16 bits are the upper 16 bits of a float32. */
    public static float bf16ToF32(short b) {
        return Float.intBitsToFloat((b & 0xffff) << 16);
    }

    /** {@code f} rounded to the nearest bfloat16 (ties to even), as a float: torch's {@code x.to(torch.bfloat16).float()}. */
    public static float roundToBf16(float f) {
        return bf16ToF32(f32ToBf16(f));
    }

    /** {@code f} rounded to the nearest binary16 (ties to even), as a float: torch's {@code x.to(torch.float16).float()}. */
    public static float roundToF16(float f) {
        return f16ToF32(f32ToF16(f));
    }
}
