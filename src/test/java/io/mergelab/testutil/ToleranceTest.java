package io.mergelab.testutil;

import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ToleranceTest {
    @Test
    void boundScalesWithTheLargerMagnitudeAboveTheFloor() {
        Tolerance t = Tolerance.relative(1e-5, 1e-7);
        assertEquals(1e-5 * 19.00084 + 1e-7, t.bound(19.00084, 19.00037), 1e-18);
        assertFalse(t.accepts(19.00084, 19.00037));
        assertTrue(Tolerance.relative(5e-5, 1e-6).accepts(19.00084, 19.00037));
        assertTrue(t.accepts(0, 5e-8), "the floor admits values near zero");
        assertFalse(t.accepts(0, 5e-7));
    }

    @Test
    void nanIsCloseToNothingAndInfinityOnlyToItself() {
        Tolerance t = Tolerance.relative(1, 1);
        assertFalse(t.accepts(Double.NaN, Double.NaN));
        assertFalse(t.accepts(1, Double.NaN));
        assertTrue(t.accepts(Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY));
        assertFalse(t.accepts(Double.POSITIVE_INFINITY, 1e300));
    }

    @Test
    void assertCloseReportsTheFractionUsedAndNamesTheValueOnFailure() {
        Tolerance t = Tolerance.relative(0, 1e-3);
        assertEquals(0.5, t.assertClose(1.0, 1.0005, "x"), 1e-9);
        assertEquals(0.0, t.assertClose(new float[] {1, 2}, new float[] {1, 2}, "v"));
        AssertionFailedError e = assertThrows(AssertionFailedError.class,
                () -> t.assertClose(new float[] {1, 2}, new float[] {1, 2.01f}, "v"));
        assertTrue(e.getMessage().startsWith("v [1]: expected 2.0, got 2.0099"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Tolerance.relative(0, 0));
    }
}
