package io.mergelab.report.stats;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The "significantly better" decision, Holm's procedure, and McNemar's edge cases. */
class SignificanceTest {
    @Test
    void betterNeedsTheRightDirectionAndASmallEnoughPValue() {
        Significance s = Significance.DEFAULT;
        assertEquals(0.05, s.alpha());
        assertTrue(s.isBetter(McNemar.exact(1000, 10, 2)));   // p = 0.0386
        assertFalse(s.isBetter(McNemar.exact(1000, 2, 10)));  // same p, B is the better one
        assertFalse(s.isBetter(McNemar.exact(1000, 4, 9)));   // p = 0.27
        assertFalse(new Significance(0.01).isBetter(McNemar.exact(1000, 10, 2)));
        assertTrue(s.isBetter(new PairedTTest(5, 0.01, 3.0, 4, 0.05))); // p = alpha counts as significant
        assertFalse(s.isBetter(new PairedTTest(5, 0.0, 0.0, 4, 1.0)));
    }

    @Test
    void holmAdjustsAFamilyAndDecidesTogether() {
        // four merges against one baseline: unadjusted, three would be "better" at 0.05; after Holm only two
        List<PairedComparison> family = List.of(
                new PairedTTest(5, 0.02, 4, 4, 0.01), new PairedTTest(5, 0.01, 2, 4, 0.04),
                new PairedTTest(5, 0.01, 2, 4, 0.03), new PairedTTest(5, -0.03, -5, 4, 0.005));
        assertEquals(List.of(true, false, false, false), Significance.DEFAULT.betterAfterHolm(family));
        assertArrayEquals(new double[] {0.03, 0.06, 0.06, 0.02}, HolmBonferroni.adjust(0.01, 0.04, 0.03, 0.005), 1e-15);
        assertArrayEquals(new boolean[] {true, false, false, true}, HolmBonferroni.rejected(0.05, 0.01, 0.04, 0.03,
                0.005));
        assertEquals(List.of(), Significance.DEFAULT.betterAfterHolm(List.of()));
        // a family of one is the plain test
        assertEquals(List.of(true), Significance.DEFAULT.betterAfterHolm(List.of(McNemar.exact(1000, 10, 2))));
    }

    @Test
    void holmDoesNotDependOnTheOrderOfTies() {
        assertArrayEquals(new double[] {0.06, 0.06, 0.5}, HolmBonferroni.adjust(0.02, 0.02, 0.5), 1e-15);
        assertArrayEquals(new double[] {0.5, 0.06, 0.06}, HolmBonferroni.adjust(0.5, 0.02, 0.02), 1e-15);
        assertEquals("holm: p-value 1 = 1.5 is outside [0, 1]",
                assertThrows(IllegalArgumentException.class, () -> HolmBonferroni.adjust(0.1, 1.5)).getMessage());
    }

    @Test
    void mcNemarWithoutDiscordantPairsOrWithATieGivesNoEvidence() {
        int[] labels = {0, 1, 1, 0};
        int[] same = {0, 1, 0, 0};
        McNemarResult none = McNemar.exact(labels, same, same.clone(), 2);
        assertEquals(new McNemarResult(McNemar.Method.EXACT, 4, 0, 0, 0, 1.0), none);
        assertEquals(new McNemarResult(McNemar.Method.CHI_SQUARE, 4, 0, 0, 0, 1.0),
                McNemar.chiSquare(labels, same, same.clone(), 2));
        assertEquals(0.0, none.difference());
        // b = c = 7: statsmodels' uncorrected-past-zero statistic would be 1/14; here 0, p = 1
        assertEquals(new McNemarResult(McNemar.Method.CHI_SQUARE, 20, 7, 7, 0, 1.0), McNemar.chiSquare(20, 7, 7));
        assertEquals(1.0, McNemar.exact(20, 7, 7).pValue());
        assertEquals("mcnemar: need n >= 1 and 0 <= b, c with b + c <= n, got n = 5, b = 4, c = 3",
                assertThrows(IllegalArgumentException.class, () -> McNemar.exact(5, 4, 3)).getMessage());
    }

    @Test
    void mcNemarIsSymmetricInTheModels() {
        McNemarResult ab = McNemar.exact(500, 33, 16);
        McNemarResult ba = McNemar.exact(500, 16, 33);
        assertEquals(ab.pValue(), ba.pValue());
        assertEquals(-ab.difference(), ba.difference());
        assertEquals(McNemar.chiSquare(500, 33, 16).pValue(), McNemar.chiSquare(500, 16, 33).pValue());
    }
}
