package io.mergelab.search;

import java.util.SplittableRandom;

/**
 * Best-of-n (LUNK looped): every candidate is an independent uniform draw of the free parameters and
 * its own merge seed, so with {@code random_select} each candidate takes a different random choice of
 * tensors; the search keeps the best by validation score.
 */
final class RandomStrategy implements SearchStrategy {

    @Override
    public void run(Objective f, long seed) {
        for (long i = 0; ; i++) {
            SplittableRandom r = new SplittableRandom(SearchStrategy.mix(seed, i));
            double[] u = new double[f.dimensions()];
            for (int k = 0; k < u.length; k++) {
                u[k] = r.nextDouble();
            }
            f.evaluate(u, r.nextLong() & Long.MAX_VALUE);
        }
    }
}
