package io.mergelab.testutil;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * A mixed tolerance for comparing a computed number with a reference (golden) one:
 * {@code |expected - actual| <= rel * max(|expected|, |actual|) + abs}.
 *
 * <p>Float results differ from their reference by rounding that scales with their magnitude (a loss of 10 and a
 * gradient norm of 19 carry errors ten times those of a logit of 1), so golden comparisons use a relative bound;
 * {@code abs} is the floor for values at or near zero, where a relative bound alone would demand bit equality.
 * Every use states why its two numbers are what they are.
 */
public record Tolerance(double rel, double abs) {
    public Tolerance {
        if (!(rel >= 0 && abs >= 0) || rel + abs == 0) {
            throw new IllegalArgumentException("tolerance needs rel >= 0, abs >= 0, not both 0: " + rel + ", " + abs);
        }
    }

    /** {@code rel} relative, with an absolute floor of {@code abs} for values near zero. */
    public static Tolerance relative(double rel, double abs) {
        return new Tolerance(rel, abs);
    }

    /** The largest |expected - actual| this tolerance accepts for these two values. */
    public double bound(double expected, double actual) {
        return rel * Math.max(Math.abs(expected), Math.abs(actual)) + abs;
    }

    /** Whether the two values are close; NaN is close to nothing, an infinity only to itself. */
    public boolean accepts(double expected, double actual) {
        if (expected == actual) {
            return true;
        }
        return Double.isFinite(expected) && Double.isFinite(actual)
                && Math.abs(expected - actual) <= bound(expected, actual);
    }

    /**
     * Fails unless close; returns the fraction of the bound used ({@code |diff| / bound}, 0 when equal), so a test
     * can report how much headroom the worst value had.
     */
    public double assertClose(double expected, double actual, String what) {
        if (!accepts(expected, actual)) {
            double d = Math.abs(expected - actual);
            fail(what + ": expected " + expected + ", got " + actual + " (|diff| " + d + " > " + bound(expected, actual)
                    + " = " + this + "; relative diff " + d / Math.max(Math.abs(expected), Math.abs(actual)) + ")");
        }
        return expected == actual ? 0 : Math.abs(expected - actual) / bound(expected, actual);
    }

    /** Element-wise {@link #assertClose(double, double, String)}; returns the largest fraction of the bound used. */
    public double assertClose(float[] expected, float[] actual, String what) {
        if (expected.length != actual.length) {
            fail(what + ": length " + actual.length + ", expected " + expected.length);
        }
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            worst = Math.max(worst, assertClose(expected[i], actual[i], what + " [" + i + "]"));
        }
        return worst;
    }

    @Override
    public String toString() {
        return "rel " + rel + " + abs " + abs;
    }
}
