package io.mergelab.search;

/**
 * Proposes candidates in the unit cube and learns from their scores. Strategies are deterministic given
 * the seed and the scores they are told, so replaying a journal's scores reproduces the same proposals
 * (this is how a killed search resumes, CMA-ES state included).
 */
interface SearchStrategy {

    /** What a strategy evaluates against: scores higher-is-better; throws {@link BudgetExhausted} at the end. */
    interface Objective {
        int dimensions();

        int budget();

        double evaluate(double[] unit, long mergeSeed);
    }

    /** Thrown by {@link Objective#evaluate} once the budget is spent; ends the strategy. */
    final class BudgetExhausted extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BudgetExhausted() {
            super("search budget spent", null, false, false);
        }
    }

    /** Runs until the budget is spent (or, for a grid, every point is scored). */
    void run(Objective f, long seed);

    static SearchStrategy of(SearchConfig c) {
        return switch (c.strategy()) {
            case GRID -> new GridStrategy(c.gridPoints(), c.merge().mergeSeed());
            case RANDOM -> new RandomStrategy();
            case CMAES -> new CmaesStrategy(c.cmaes(), c.merge().mergeSeed());
        };
    }

    /** SplitMix64 finaliser: independent seeds from (seed, index). */
    static long mix(long seed, long index) {
        long z = seed + (index + 1) * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
