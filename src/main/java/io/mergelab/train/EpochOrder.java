package io.mergelab.train;

import java.util.SplittableRandom;

/**
 * The order examples are visited in each epoch: a Fisher–Yates shuffle driven by SplittableRandom
 * (algorithm fixed by the JDK), seeded by (seed, epoch) only, so a resumed run sees the same order.
 */
public final class EpochOrder {
    private EpochOrder() {}

    public static int[] permutation(int n, long seed, int epoch) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + epoch * 0xBF58476D1CE4E5B9L + 1);
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** Seed for the engine's RNG (dropout) at optimiser step {@code step}: a function of (seed, step) only. */
    public static long stepSeed(long seed, int step) {
        long z = seed + 0x9E3779B97F4A7C15L * (step + 1L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return (z ^ (z >>> 31)) & Long.MAX_VALUE;
    }
}
