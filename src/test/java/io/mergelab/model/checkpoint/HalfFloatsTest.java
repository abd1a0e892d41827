package io.mergelab.model.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class HalfFloatsTest {

    private static int f16(float f) {
        return HalfFloats.f32ToF16(f) & 0xffff;
    }

    @Test
    void everyHalfSurvivesWidenAndNarrow() {
        for (int i = 0; i < 0x10000; i++) {
            int h = i;
            float f = HalfFloats.f16ToF32((short) h);
            assertEquals(h, f16(f), () -> "half bits " + Integer.toHexString(h) + " -> " + f);
        }
    }

    @Test
    void decodesKnownValues() {
        assertEquals(1.0f, HalfFloats.f16ToF32((short) 0x3c00));
        assertEquals(-2.0f, HalfFloats.f16ToF32((short) 0xc000));
        assertEquals(65504f, HalfFloats.f16ToF32((short) 0x7bff));
        assertEquals(0x1p-24f, HalfFloats.f16ToF32((short) 0x0001)); // smallest subnormal
        assertEquals(0x3ffp-24f, HalfFloats.f16ToF32((short) 0x03ff)); // largest subnormal
        assertEquals(0x1p-14f, HalfFloats.f16ToF32((short) 0x0400)); // smallest normal
        assertEquals(Float.POSITIVE_INFINITY, HalfFloats.f16ToF32((short) 0x7c00));
        assertEquals(Float.NEGATIVE_INFINITY, HalfFloats.f16ToF32((short) 0xfc00));
        assertTrue(Float.isNaN(HalfFloats.f16ToF32((short) 0x7e00)));
        assertEquals(Float.floatToRawIntBits(-0.0f), Float.floatToRawIntBits(HalfFloats.f16ToF32((short) 0x8000)));
    }

    @Test
    void roundsToNearestEven() {
        assertEquals(0x3c00, f16(1.0f + 0x1p-11f)); // tie, 1.0 is even
        assertEquals(0x3c02, f16(1.0f + 3 * 0x1p-11f)); // tie, rounds up to even
        assertEquals(0x3c01, f16(1.0f + 0x1p-11f + 0x1p-20f)); // just above the tie
        assertEquals(0x7bff, f16(65519.99f));
        assertEquals(0x7c00, f16(65520f)); // tie between max and 2^16: rounds to inf
        assertEquals(0x7c00, f16(1e10f));
        assertEquals(0xfc00, f16(-1e10f));
        assertEquals(0x0000, f16(0x1p-25f)); // tie between 0 and smallest subnormal
        assertEquals(0x0001, f16(0x1.000002p-25f));
        assertEquals(0x0002, f16(0x3p-25f)); // 1.5 * 2^-24: tie to even 2
        assertEquals(0x0400, f16(0x7ffp-25f + 0x1p-26f)); // rounds up out of the subnormals
        assertEquals(0x0000, f16(Float.MIN_VALUE));
        assertEquals(0x8000, f16(-Float.MIN_VALUE));
        assertEquals(0x8000, f16(-0.0f));
        assertEquals(0x7e00, f16(Float.NaN));
        int nan = f16(Float.intBitsToFloat(0x7f800001)); // payload lost in truncation must stay NaN
        assertTrue((nan & 0x7c00) == 0x7c00 && (nan & 0x3ff) != 0);
    }

    @Test
    void bf16IsTheUpperHalfOfFloat() {
        assertEquals(1.0f, HalfFloats.bf16ToF32((short) 0x3f80));
        assertEquals(-2.0f, HalfFloats.bf16ToF32((short) 0xc000));
        assertEquals(3.140625f, HalfFloats.bf16ToF32((short) 0x4049));
        assertEquals(Float.POSITIVE_INFINITY, HalfFloats.bf16ToF32((short) 0x7f80));
        assertTrue(Float.isNaN(HalfFloats.bf16ToF32((short) 0x7fc0)));
    }
}
