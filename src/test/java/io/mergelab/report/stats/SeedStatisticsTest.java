package io.mergelab.report.stats;

import org.junit.jupiter.api.Test;

import java.util.Optional;
import java.util.OptionalDouble;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Across-seed statistics at the edges the golden file cannot express as numbers. */
class SeedStatisticsTest {
    @Test
    void oneSeedHasNoSpreadAndNoIntervalAndSaysSo() {
        SeedSummary s = SeedStatistics.summarize(new double[] {0.77});
        assertEquals(new SeedSummary(1, 0.77, OptionalDouble.empty(), Optional.empty()), s);
        assertFalse(s.hasInterval());
        assertTrue(SeedStatistics.pairedTTest(new double[] {0.8}, new double[] {0.7}).isEmpty());
    }

    @Test
    void intervalIsSymmetricAroundTheMeanAndWidensWithLevel() {
        double[] x = {0.81, 0.83, 0.8, 0.86};
        Interval i95 = SeedStatistics.summarize(x, 0.95).interval().orElseThrow();
        Interval i99 = SeedStatistics.summarize(x, 0.99).interval().orElseThrow();
        assertEquals(0.825, (i95.lower() + i95.upper()) / 2, 1e-15);
        assertTrue(i99.lower() < i95.lower() && i95.upper() < i99.upper());
        assertEquals(SeedStatistics.summarize(x, 0.95), SeedStatistics.summarize(x));
    }

    @Test
    void pairedTTestIsAntisymmetric() {
        double[] a = {0.81, 0.83, 0.8, 0.86};
        double[] b = {0.8, 0.8, 0.79, 0.84};
        PairedTTest ab = SeedStatistics.pairedTTest(a, b).orElseThrow();
        PairedTTest ba = SeedStatistics.pairedTTest(b, a).orElseThrow();
        assertEquals(-ab.statistic(), ba.statistic(), 1e-12);
        assertEquals(ab.pValue(), ba.pValue(), 1e-15);
        assertTrue(ab.difference() > 0 && ba.difference() < 0);
    }

    @Test
    void rejectsMismatchedOrNonFiniteScores() {
        assertEquals("stats: paired t-test needs one score per seed from each model, got 2 and 3",
                assertThrows(IllegalArgumentException.class, () -> SeedStatistics.pairedTTest(new double[] {1, 2},
                        new double[] {1, 2, 3})).getMessage());
        assertEquals("stats: scores[1] = NaN is not finite", assertThrows(IllegalArgumentException.class,
                () -> SeedStatistics.summarize(new double[] {1, Double.NaN})).getMessage());
        assertEquals("stats: no scores (need one score per seed)", assertThrows(IllegalArgumentException.class,
                () -> SeedStatistics.summarize(new double[0])).getMessage());
    }
}
