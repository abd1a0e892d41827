package io.mergelab.merge.analysis;

import java.util.List;

/**
 * Sign conflicts of the task vectors after TIES trimming at {@code trimDensity} (1.0: untrimmed), as fractions of
 * all coordinates of the scope.
 *
 * @param trimDensity  the TIES density every task vector was trimmed to, per tensor; 1.0 means no trimming
 * @param anyPair      fraction of coordinates where some variant's τ is > 0 and another's is < 0
 * @param pairwise     [i][j]: fraction of coordinates where sign(τ_i)·sign(τ_j) < 0 (symmetric, zero diagonal)
 */
public record SignConflicts(double trimDensity, double anyPair, List<List<Double>> pairwise) {
    public SignConflicts {
        pairwise = Measures.copy(pairwise);
    }

    public double pairwise(int i, int j) {
        return pairwise.get(i).get(j);
    }
}
