package io.mergelab.report.stats;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Behaviour of the bootstrap that the golden values do not pin: seeds, defaults, degenerate inputs, bad inputs. */
class BootstrapTest {
    private static final int N = 400;
    private static final int K = 3;
    private static final int[] LABELS = new int[N];
    private static final int[] A = new int[N];
    private static final int[] B = new int[N];

    static {
        SplittableRandom rng = new SplittableRandom(5);
        for (int i = 0; i < N; i++) {
            LABELS[i] = rng.nextInt(K);
            A[i] = rng.nextDouble() < 0.8 ? LABELS[i] : rng.nextInt(K);
            B[i] = rng.nextDouble() < 0.5 ? A[i] : rng.nextDouble() < 0.7 ? LABELS[i] : rng.nextInt(K);
        }
    }

    @Test
    void defaultsAre2000Resamples95PercentSeed1234() {
        assertEquals(new BootstrapConfig(2000, 0.95, 1234L), BootstrapConfig.DEFAULT);
        BootstrapInterval ci = new Bootstrap(BootstrapConfig.DEFAULT).interval(LABELS, A, K, Metric.ACCURACY);
        assertEquals(2000, ci.resamples());
        assertEquals(0.95, ci.level());
        assertEquals(Metric.ACCURACY.score(LABELS, A, K), ci.estimate());
        assertTrue(ci.lower() < ci.estimate() && ci.estimate() < ci.upper(), ci.toString());
    }

    @Test
    void sameSeedSameResultOtherSeedOtherResult() {
        Bootstrap one = new Bootstrap(BootstrapConfig.DEFAULT.withResamples(300).withSeed(42));
        Bootstrap again = new Bootstrap(BootstrapConfig.DEFAULT.withResamples(300).withSeed(42));
        Bootstrap other = new Bootstrap(BootstrapConfig.DEFAULT.withResamples(300).withSeed(43));
        assertEquals(one.interval(LABELS, A, K, Metric.MACRO_F1), again.interval(LABELS, A, K, Metric.MACRO_F1));
        assertEquals(one.interval(LABELS, A, K, Metric.MACRO_F1), one.interval(LABELS, A, K, Metric.MACRO_F1));
        assertEquals(one.pairedTest(LABELS, A, B, K, Metric.ACCURACY),
                again.pairedTest(LABELS, A, B, K, Metric.ACCURACY));
        assertNotEquals(one.interval(LABELS, A, K, Metric.MACRO_F1), other.interval(LABELS, A, K, Metric.MACRO_F1));
    }

    @Test
    void theSeedFixesTheResampledIndices() {
        // the documented scheme: new SplittableRandom(seed), nextInt(n) per example, resample after resample
        int b = 50;
        SplittableRandom rng = new SplittableRandom(77);
        int[][] indices = new int[b][N];
        for (int[] row : indices) {
            for (int i = 0; i < N; i++) {
                row[i] = rng.nextInt(N);
            }
        }
        Bootstrap seeded = new Bootstrap(new BootstrapConfig(b, 0.9, 77));
        assertEquals(Bootstrap.interval(LABELS, A, K, Metric.MACRO_F1, indices, 0.9),
                seeded.interval(LABELS, A, K, Metric.MACRO_F1));
        assertEquals(Bootstrap.pairedTest(LABELS, A, B, K, Metric.ACCURACY, indices, 0.9),
                seeded.pairedTest(LABELS, A, B, K, Metric.ACCURACY));
    }

    @Test
    void identicalModelsHaveZeroDifferenceAndPValueOne() {
        PairedBootstrapResult r = new Bootstrap(BootstrapConfig.DEFAULT.withResamples(200))
                .pairedTest(LABELS, A, A.clone(), K, Metric.MACRO_F1);
        assertEquals(new PairedBootstrapResult(0, 0, 0, 1.0, 200, 0.95), r);
    }

    @Test
    void aModelRightEverywhereBeatsOneWrongEverywhereAtTheSmallestPossiblePValue() {
        int[] wrong = new int[N];
        for (int i = 0; i < N; i++) {
            wrong[i] = (LABELS[i] + 1) % K;
        }
        PairedBootstrapResult r = new Bootstrap(BootstrapConfig.DEFAULT.withResamples(99))
                .pairedTest(LABELS, LABELS, wrong, K, Metric.ACCURACY);
        assertEquals(1.0, r.difference());
        assertEquals(1.0, r.lower());
        assertEquals(2.0 / 100, r.pValue(), 1e-15); // (0 + 1) / (B + 1), doubled: never 0
        assertTrue(Significance.DEFAULT.isBetter(r));
        PairedBootstrapResult reversed = new Bootstrap(BootstrapConfig.DEFAULT.withResamples(99))
                .pairedTest(LABELS, wrong, LABELS, K, Metric.ACCURACY);
        assertEquals(-1.0, reversed.difference());
        assertEquals(r.pValue(), reversed.pValue());
    }

    @Test
    void aWiderLevelGivesAWiderInterval() {
        BootstrapInterval ci95 = new Bootstrap(BootstrapConfig.DEFAULT.withResamples(500)).interval(LABELS, A, K,
                Metric.ACCURACY);
        BootstrapInterval ci99 = new Bootstrap(BootstrapConfig.DEFAULT.withResamples(500).withLevel(0.99))
                .interval(LABELS, A, K, Metric.ACCURACY);
        assertTrue(ci99.lower() <= ci95.lower() && ci95.upper() <= ci99.upper(), ci95 + " / " + ci99);
    }

    @Test
    void quantileInterpolatesLinearlyBetweenOrderStatistics() {
        double[] x = {1, 2, 4, 8};
        assertEquals(1, Bootstrap.quantile(x, 0));
        assertEquals(8, Bootstrap.quantile(x, 1));
        assertEquals(3, Bootstrap.quantile(x, 0.5)); // position 1.5
        assertEquals(1.075, Bootstrap.quantile(x, 0.025), 1e-15); // position 0.075
        assertEquals(7, Bootstrap.quantile(new double[] {7}, 0.975));
    }

    @Test
    void rejectsBadInputWithOneClearLine() {
        Bootstrap b = new Bootstrap(BootstrapConfig.DEFAULT.withResamples(10));
        assertEquals("stats: predictions has 3 entries, expected 2 (one per label)",
                assertThrows(IllegalArgumentException.class,
                        () -> b.interval(new int[] {0, 1}, new int[] {0, 1, 1}, 2, Metric.ACCURACY)).getMessage());
        assertEquals("stats: predictions of model B[1] = 2 is outside 0..1",
                assertThrows(IllegalArgumentException.class,
                        () -> b.pairedTest(new int[] {0, 1}, new int[] {0, 1}, new int[] {0, 2}, 2, Metric.ACCURACY))
                        .getMessage());
        assertEquals("stats: no examples (labels is empty)", assertThrows(IllegalArgumentException.class,
                () -> b.interval(new int[0], new int[0], 2, Metric.ACCURACY)).getMessage());
        assertEquals("bootstrap: resamples must be at least 1, got 0",
                assertThrows(IllegalArgumentException.class, () -> new BootstrapConfig(0, 0.95, 1)).getMessage());
        assertEquals("stats: bootstrap level must be strictly between 0 and 1, got 95.0",
                assertThrows(IllegalArgumentException.class, () -> new BootstrapConfig(10, 95, 1)).getMessage());
        assertEquals("bootstrap: resample 0 has index 2 outside 0..1", assertThrows(IllegalArgumentException.class,
                () -> Bootstrap.interval(new int[] {0, 1}, new int[] {0, 1}, 2, Metric.ACCURACY,
                        new int[][] {{0, 2}}, 0.95)).getMessage());
    }
}
