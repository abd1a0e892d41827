package io.mergelab.report.stats;

import java.util.Arrays;
import java.util.Comparator;

/**
 * Holm's step-down adjustment of a family of m p-values (Holm 1979, "A simple sequentially rejective multiple test
 * procedure"), which controls the family-wise error rate under any dependence between the tests. With the p-values
 * sorted ascending, p_(1) ≤ ... ≤ p_(m), the adjusted value of the j-th is
 * <pre>  p~_(j) = max over i ≤ j of min(1, (m − i + 1) · p_(i))</pre>
 * and hypothesis j is rejected at family-wise level α iff p~_(j) ≤ α, which is exactly Holm's procedure (reject
 * H_(1), H_(2), ... while p_(i) ≤ α / (m − i + 1), stop at the first that is not). Ties get the same adjusted value
 * whatever their order.
 */
public final class HolmBonferroni {
    private HolmBonferroni() {
    }

    /** Holm-adjusted p-values, in the order of the input. */
    public static double[] adjust(double... pValues) {
        int m = pValues.length;
        for (int i = 0; i < m; i++) {
            if (!(pValues[i] >= 0 && pValues[i] <= 1)) {
                throw new IllegalArgumentException("holm: p-value " + i + " = " + pValues[i] + " is outside [0, 1]");
            }
        }
        Integer[] order = new Integer[m];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, Comparator.comparingDouble(i -> pValues[i]));
        double[] adjusted = new double[m];
        double running = 0;
        for (int j = 0; j < m; j++) {
            running = Math.max(running, Math.min(1.0, (m - j) * pValues[order[j]]));
            adjusted[order[j]] = running;
        }
        return adjusted;
    }

    /** Which hypotheses Holm's procedure rejects at family-wise level {@code alpha} (adjusted p ≤ alpha). */
    public static boolean[] rejected(double alpha, double... pValues) {
        Inputs.checkLevel("significance level alpha", alpha);
        double[] adjusted = adjust(pValues);
        boolean[] reject = new boolean[adjusted.length];
        for (int i = 0; i < adjusted.length; i++) {
            reject[i] = adjusted[i] <= alpha;
        }
        return reject;
    }
}
