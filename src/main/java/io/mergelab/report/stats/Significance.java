package io.mergelab.report.stats;

import java.util.ArrayList;
import java.util.List;

/**
 * Decides "A is significantly better than B at level alpha" from a two-sided paired test of A against B: the
 * observed difference favours A ({@code difference() > 0}) and the two-sided p-value is at most alpha. That is a
 * one-sided test of "A is not better" at level alpha / 2, so the decision errs on the side of not claiming.
 *
 * <p>For the results table: bold the best row only if {@code isBetter(test of best against runner-up)}. When a table
 * makes several claims at once (each merge against each baseline), decide them together with
 * {@link #betterAfterHolm}, which applies the same rule to Holm-adjusted p-values so that the chance of any false
 * claim in the family stays at most alpha.
 */
public record Significance(double alpha) {
    public static final double DEFAULT_ALPHA = 0.05;
    public static final Significance DEFAULT = new Significance(DEFAULT_ALPHA);

    public Significance {
        Inputs.checkLevel("significance level alpha", alpha);
    }

    /** Whether A is significantly better than B, given a paired test of A against B. */
    public boolean isBetter(PairedComparison aAgainstB) {
        return aAgainstB.difference() > 0 && aAgainstB.pValue() <= alpha;
    }

    /**
     * For a family of paired tests (each of some A against some B), whether each A is significantly better than its
     * B after Holm's adjustment of the family's p-values ({@link HolmBonferroni}); in the order of the input.
     */
    public List<Boolean> betterAfterHolm(List<? extends PairedComparison> family) {
        double[] p = new double[family.size()];
        for (int i = 0; i < p.length; i++) {
            p[i] = family.get(i).pValue();
        }
        double[] adjusted = HolmBonferroni.adjust(p);
        List<Boolean> better = new ArrayList<>(p.length);
        for (int i = 0; i < p.length; i++) {
            better.add(family.get(i).difference() > 0 && adjusted[i] <= alpha);
        }
        return List.copyOf(better);
    }
}
