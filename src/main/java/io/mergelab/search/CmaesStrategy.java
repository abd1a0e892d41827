package io.mergelab.search;

import org.apache.commons.math3.optim.InitialGuess;
import org.apache.commons.math3.optim.MaxEval;
import org.apache.commons.math3.optim.MaxIter;
import org.apache.commons.math3.optim.SimpleBounds;
import org.apache.commons.math3.optim.nonlinear.scalar.GoalType;
import org.apache.commons.math3.optim.nonlinear.scalar.ObjectiveFunction;
import org.apache.commons.math3.optim.nonlinear.scalar.noderiv.CMAESOptimizer;
import org.apache.commons.math3.random.MersenneTwister;

import java.util.Arrays;

/**
 * CMA-ES (commons-math3 {@link CMAESOptimizer}, active covariance update) over the unit cube, as
 * mergekit-evolve does. The optimizer drives the objective itself, so resuming replays the journal's
 * scores through an identically seeded optimizer, which re-derives its full state without evaluating.
 * When it converges before the budget is spent it restarts from the best point with a fresh seed.
 */
final class CmaesStrategy implements SearchStrategy {
    private final SearchConfig.Cmaes settings;
    private final long mergeSeed;

    CmaesStrategy(SearchConfig.Cmaes settings, long mergeSeed) {
        this.settings = settings;
        this.mergeSeed = mergeSeed;
    }

    static int population(int dims, int configured) {
        return configured > 0 ? configured : 4 + (int) Math.floor(3 * Math.log(dims));
    }

    @Override
    public void run(Objective f, long seed) {
        int d = f.dimensions();
        double[] start = new double[d];
        Arrays.fill(start, 0.5);
        double[] best = start.clone();
        double[] bestScore = {Double.NEGATIVE_INFINITY};
        double[] sigma = new double[d];
        Arrays.fill(sigma, settings.sigma());
        double[] lo = new double[d];
        double[] hi = new double[d];
        Arrays.fill(hi, 1.0);
        int[] count = {0};
        for (int restart = 0; ; restart++) {
            CMAESOptimizer opt = new CMAESOptimizer(Integer.MAX_VALUE, 0.0, true, 0, 0,
                    new MersenneTwister(SearchStrategy.mix(seed, restart)), false, null);
            int before = count[0];
            opt.optimize(new MaxEval(Integer.MAX_VALUE), new MaxIter(Integer.MAX_VALUE),
                    new ObjectiveFunction(x -> {
                        double v = f.evaluate(x, mergeSeed);
                        count[0]++;
                        if (v > bestScore[0]) {
                            bestScore[0] = v;
                            System.arraycopy(x, 0, best, 0, d);
                        }
                        return v;
                    }), GoalType.MAXIMIZE, new InitialGuess(restart == 0 ? start : best.clone()),
                    new SimpleBounds(lo, hi), new CMAESOptimizer.Sigma(sigma),
                    new CMAESOptimizer.PopulationSize(population(d, settings.population())));
            if (count[0] == before) {
                return; // nothing left to propose
            }
        }
    }
}
