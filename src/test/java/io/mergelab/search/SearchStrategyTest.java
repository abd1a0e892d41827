package io.mergelab.search;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.ToDoubleFunction;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Strategies on a synthetic objective: budgets, determinism, and CMA-ES state re-derived by replaying scores. */
class SearchStrategyTest {

    /** Records every proposal; answers from {@code replay} first (as a resumed search does), then from f. */
    private static final class Recorder implements SearchStrategy.Objective {
        final List<double[]> proposals = new ArrayList<>();
        final List<Double> scores = new ArrayList<>();
        final List<Long> seeds = new ArrayList<>();
        final ToDoubleFunction<double[]> f;
        final List<Double> replay;
        final int dims;
        final int budget;
        int freshEvaluations;

        Recorder(int dims, int budget, ToDoubleFunction<double[]> f, List<Double> replay) {
            this.dims = dims;
            this.budget = budget;
            this.f = f;
            this.replay = replay;
        }

        @Override
        public int dimensions() {
            return dims;
        }

        @Override
        public int budget() {
            return budget;
        }

        @Override
        public double evaluate(double[] unit, long mergeSeed) {
            if (proposals.size() >= budget) {
                throw new SearchStrategy.BudgetExhausted();
            }
            for (double u : unit) {
                assertTrue(u >= 0 && u <= 1, "proposal outside the unit cube: " + u);
            }
            double v;
            if (proposals.size() < replay.size()) {
                v = replay.get(proposals.size());
            } else {
                v = f.applyAsDouble(unit);
                freshEvaluations++;
            }
            proposals.add(unit.clone());
            scores.add(v);
            seeds.add(mergeSeed);
            return v;
        }
    }

    /** A bumpy bowl with its optimum off every grid point, quantised like an accuracy. */
    private static double bowl(double[] x) {
        double d = Math.pow(x[0] - 0.37, 2) + Math.pow(x[1] - 0.71, 2) + 0.02 * Math.sin(20 * x[0]);
        return Math.round((1 - d) * 1000) / 1000.0;
    }

    private static Recorder run(SearchStrategy s, int budget, List<Double> replay) {
        Recorder r = new Recorder(2, budget, SearchStrategyTest::bowl, replay);
        try {
            s.run(r, 11);
        } catch (SearchStrategy.BudgetExhausted e) {
            // end of budget
        }
        return r;
    }

    @Test
    void gridSpendsTheBudgetOnTheLargestFullGrid() {
        assertEquals(3, GridStrategy.levels(9, 2, 0));
        assertEquals(2, GridStrategy.levels(8, 2, 0));
        assertEquals(5, GridStrategy.levels(9, 2, 5));
        Recorder r = run(new GridStrategy(0, 0), 9, List.of());
        assertEquals(9, r.proposals.size());
        Set<String> distinct = new HashSet<>();
        r.proposals.forEach(p -> distinct.add(p[0] + "," + p[1]));
        assertEquals(9, distinct.size());
        assertTrue(distinct.contains("0.0,0.0") && distinct.contains("1.0,1.0") && distinct.contains("0.5,0.5"));
    }

    @Test
    void randomIsSeededAndDrawsAMergeSeedPerCandidate() {
        Recorder a = run(new RandomStrategy(), 6, List.of());
        Recorder b = run(new RandomStrategy(), 6, List.of());
        for (int i = 0; i < 6; i++) {
            assertArrayEquals(a.proposals.get(i), b.proposals.get(i));
        }
        assertEquals(a.seeds, b.seeds);
        assertEquals(6, new HashSet<>(a.seeds).size());
    }

    @Test
    void cmaesReplayReDerivesItsStateWithoutEvaluating() {
        SearchConfig.Cmaes settings = new SearchConfig.Cmaes(6, 0.3);
        Recorder full = run(new CmaesStrategy(settings, 0), 40, List.of());
        assertEquals(40, full.proposals.size());
        // "killed" after 17 candidates: the resumed optimizer is told the 17 journaled scores
        Recorder resumed = run(new CmaesStrategy(settings, 0), 40, full.scores.subList(0, 17));
        assertEquals(40 - 17, resumed.freshEvaluations);
        for (int i = 0; i < 40; i++) {
            assertArrayEquals(full.proposals.get(i), resumed.proposals.get(i), 0.0, "proposal " + i);
        }
        double grid = run(new GridStrategy(0, 0), 40, List.of()).scores.stream().mapToDouble(d -> d).max()
                .orElseThrow();
        double cma = full.scores.stream().mapToDouble(d -> d).max().orElseThrow();
        assertTrue(cma >= grid, "CMA-ES " + cma + " vs grid " + grid);
    }
}
