package io.mergelab.merge.analysis;

import java.util.ArrayList;
import java.util.List;

/**
 * The additive sums behind every measure of one scope (counts in long, sums in double), so a group's sums add up to
 * the model's and every ratio is formed once, at the end ({@link #measures}).
 */
final class ScopeSums {
    final int n;
    int tensors;
    long coordinates;
    /** [i][j] = Σ τ_i τ_j (the diagonal: squared L2 norms). */
    final double[][] dot;
    final double[] l1;
    /** [t][i][j], i < j: coordinates with opposite signs after trimming t (t = 0: untrimmed). */
    final long[][][] pairConflicts;
    /** [t]: coordinates where some τ > 0 and some τ < 0 after trimming t. */
    final long[] anyConflicts;
    final double[][] topL1;
    final double[][] topL2;
    /** [k][p]: Σ DARE_p(τ_k)². */
    final double[][] dareSq;

    ScopeSums(int variants, int trimLevels, int topK, int dare) {
        n = variants;
        dot = new double[n][n];
        l1 = new double[n];
        pairConflicts = new long[trimLevels][n][n];
        anyConflicts = new long[trimLevels];
        topL1 = new double[n][topK];
        topL2 = new double[n][topK];
        dareSq = new double[n][dare];
    }

    void add(ScopeSums o) {
        tensors += o.tensors;
        coordinates += o.coordinates;
        for (int i = 0; i < n; i++) {
            l1[i] += o.l1[i];
            for (int j = 0; j < n; j++) {
                dot[i][j] += o.dot[i][j];
            }
            for (int j = 0; j < topL1[i].length; j++) {
                topL1[i][j] += o.topL1[i][j];
                topL2[i][j] += o.topL2[i][j];
            }
            for (int j = 0; j < dareSq[i].length; j++) {
                dareSq[i][j] += o.dareSq[i][j];
            }
        }
        for (int t = 0; t < anyConflicts.length; t++) {
            anyConflicts[t] += o.anyConflicts[t];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    pairConflicts[t][i][j] += o.pairConflicts[t][i][j];
                }
            }
        }
    }

    /** @param trimDensities 1.0 first, then the settings' TIES densities, as {@link #anyConflicts} is indexed */
    Measures measures(String scope, List<Double> trimDensities) {
        List<Double> l2 = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            l2.add(Math.sqrt(dot[i][i]));
        }
        List<List<Double>> cos = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            List<Double> row = new ArrayList<>();
            for (int j = 0; j < n; j++) {
                double d = l2.get(i) * l2.get(j);
                double c = i == j ? (d > 0 ? 1.0 : 0.0) : ratio(dot[i][j], d);
                row.add(Math.max(-1.0, Math.min(1.0, c)));
            }
            cos.add(row);
        }
        List<SignConflicts> conflicts = new ArrayList<>();
        for (int t = 0; t < anyConflicts.length; t++) {
            List<List<Double>> pw = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                List<Double> row = new ArrayList<>();
                for (int j = 0; j < n; j++) {
                    long c = i < j ? pairConflicts[t][i][j] : pairConflicts[t][j][i];
                    row.add(i == j ? 0.0 : ratio(c, coordinates));
                }
                pw.add(row);
            }
            conflicts.add(new SignConflicts(trimDensities.get(t), ratio(anyConflicts[t], coordinates), pw));
        }
        List<List<Double>> m1 = new ArrayList<>();
        List<List<Double>> m2 = new ArrayList<>();
        List<List<Double>> dare = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            List<Double> r1 = new ArrayList<>();
            List<Double> r2 = new ArrayList<>();
            for (int j = 0; j < topL1[i].length; j++) {
                r1.add(ratio(topL1[i][j], l1[i]));
                r2.add(ratio(topL2[i][j], dot[i][i]));
            }
            m1.add(r1);
            m2.add(r2);
            List<Double> rd = new ArrayList<>();
            for (int j = 0; j < dareSq[i].length; j++) {
                rd.add(Math.sqrt(ratio(dareSq[i][j], dot[i][i])));
            }
            dare.add(rd);
        }
        return new Measures(scope, tensors, coordinates, l2, List.of(box(l1)), cos, conflicts, m1, m2, dare);
    }

    /** The definitions' convention: a ratio over 0 is 0 (a zero task vector has no direction and no mass). */
    private static double ratio(double num, double den) {
        return den > 0 ? num / den : 0.0;
    }

    private static Double[] box(double[] a) {
        Double[] b = new Double[a.length];
        for (int i = 0; i < a.length; i++) {
            b[i] = a[i];
        }
        return b;
    }
}
