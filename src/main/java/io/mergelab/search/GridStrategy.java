package io.mergelab.search;

/**
 * Evenly spaced points per dimension (both bounds included), in odometer order. With {@code points} 0 the
 * grid is the largest one the budget affords: floor(budget^(1/d)) points per dimension, at least 2.
 */
final class GridStrategy implements SearchStrategy {
    private final int points;
    private final long mergeSeed;

    GridStrategy(int points, long mergeSeed) {
        this.points = points;
        this.mergeSeed = mergeSeed;
    }

    static int levels(int budget, int dims, int points) {
        if (points > 0) {
            return points;
        }
        int k = (int) Math.floor(Math.pow(budget, 1.0 / dims) + 1e-9);
        return Math.max(2, k);
    }

    @Override
    public void run(Objective f, long seed) {
        int d = f.dimensions();
        int k = levels(f.budget(), d, points);
        int[] idx = new int[d];
        while (true) {
            double[] u = new double[d];
            for (int i = 0; i < d; i++) {
                u[i] = (double) idx[i] / (k - 1);
            }
            f.evaluate(u, mergeSeed);
            int i = d - 1;
            while (i >= 0 && ++idx[i] == k) {
                idx[i--] = 0;
            }
            if (i < 0) {
                return;
            }
        }
    }
}
