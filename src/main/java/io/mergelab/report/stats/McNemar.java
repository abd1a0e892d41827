package io.mergelab.report.stats;

import org.apache.commons.math3.special.Beta;
import org.apache.commons.math3.special.Gamma;

/**
 * McNemar's test for two classifiers on the same examples (Dietterich 1998, "Approximate statistical tests for
 * comparing supervised classification learning algorithms"): only the discordant pairs matter, b = A right and
 * B wrong, c = A wrong and B right; under "same accuracy" each discordant example is A's win with probability ½.
 *
 * <ul>
 *   <li>{@link Method#EXACT}: two-sided binomial test of b among b + c at ½,
 *       {@code p = min(1, 2 · BinomCDF(min(b, c); b + c, ½))}, what statsmodels'
 *       {@code mcnemar(table, exact=True)} and scipy's {@code binomtest(b, b + c).pvalue} give; statistic min(b, c).
 *       Use it whenever b + c is small (below ~25 the chi-square approximation is poor).</li>
 *   <li>{@link Method#CHI_SQUARE}: {@code (max(0, |b − c| − 1))² / (b + c)} against chi-square with 1 degree of
 *       freedom (Edwards' continuity correction). The {@code max(0, ·)} matters only when b = c: there the correction
 *       would overshoot to 1 / (b + c) (statsmodels does that), while R's {@code mcnemar.test} drops the correction
 *       and scipy's Yates correction never moves a count past its expectation; we give statistic 0, p = 1.</li>
 * </ul>
 * With no discordant pairs (b + c = 0, e.g. identical predictions) both give statistic 0 and p = 1: no evidence.
 */
public final class McNemar {
    public enum Method { EXACT, CHI_SQUARE }

    private McNemar() {
    }

    /** Exact McNemar test of A against B on per-example labels and predictions. */
    public static McNemarResult exact(int[] labels, int[] predictionsA, int[] predictionsB, int numClasses) {
        int[] bc = discordant(labels, predictionsA, predictionsB, numClasses);
        return exact(labels.length, bc[0], bc[1]);
    }

    /** Chi-square McNemar test (continuity-corrected) of A against B on per-example labels and predictions. */
    public static McNemarResult chiSquare(int[] labels, int[] predictionsA, int[] predictionsB, int numClasses) {
        int[] bc = discordant(labels, predictionsA, predictionsB, numClasses);
        return chiSquare(labels.length, bc[0], bc[1]);
    }

    /** Exact test from counts: n examples, b = A right B wrong, c = A wrong B right. */
    public static McNemarResult exact(int n, int b, int c) {
        checkCounts(n, b, c);
        int k = Math.min(b, c);
        int m = b + c;
        double p;
        if (m == 0 || k == m - k) {
            p = 1.0; // b = c: the doubled CDF exceeds 1
        } else {
            // BinomCDF(k; m, ½) = I_½(m − k, k + 1). Commons-math's BinomialDistribution.cumulativeProbability
            // computes 1 − I_½(k + 1, m − k), which cancels to 0 for the tiny p-values of large m; this keeps them.
            p = Math.min(1.0, 2.0 * Beta.regularizedBeta(0.5, m - k, k + 1.0));
        }
        return new McNemarResult(Method.EXACT, n, b, c, k, p);
    }

    /** Continuity-corrected chi-square test from counts: n examples, b = A right B wrong, c = A wrong B right. */
    public static McNemarResult chiSquare(int n, int b, int c) {
        checkCounts(n, b, c);
        if (b + c == 0) {
            return new McNemarResult(Method.CHI_SQUARE, n, b, c, 0.0, 1.0);
        }
        double corrected = Math.max(0, Math.abs(b - c) - 1);
        double statistic = corrected * corrected / (b + c);
        // upper tail of chi-square(1) = Q(½, x/2), computed directly, not as 1 − CDF (which cancels for tiny p)
        double p = statistic == 0 ? 1.0 : Gamma.regularizedGammaQ(0.5, statistic / 2);
        return new McNemarResult(Method.CHI_SQUARE, n, b, c, statistic, p);
    }

    /** {b, c}: examples only A gets right, examples only B gets right. */
    static int[] discordant(int[] labels, int[] predictionsA, int[] predictionsB, int numClasses) {
        Inputs.checkExamples(labels, numClasses, predictionsA, predictionsB);
        int b = 0;
        int c = 0;
        for (int i = 0; i < labels.length; i++) {
            boolean aRight = predictionsA[i] == labels[i];
            boolean bRight = predictionsB[i] == labels[i];
            if (aRight && !bRight) {
                b++;
            } else if (bRight && !aRight) {
                c++;
            }
        }
        return new int[] {b, c};
    }

    private static void checkCounts(int n, int b, int c) {
        if (b < 0 || c < 0 || n < 1 || (long) b + c > n) {
            throw new IllegalArgumentException("mcnemar: need n >= 1 and 0 <= b, c with b + c <= n, got n = " + n
                    + ", b = " + b + ", c = " + c);
        }
    }
}
