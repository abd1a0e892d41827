package io.mergelab.report.stats;

import com.fasterxml.jackson.databind.JsonNode;
import io.mergelab.eval.ClassificationMetrics;
import io.mergelab.testutil.Tolerance;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Metrics, McNemar, across-seed statistics and Holm against the golden values of tools/golden/make_stats_golden.py
 * (scipy 1.17 / numpy 2.4, float64). Counts and decisions are exact; the tolerances of the rest are stated where
 * declared.
 */
class StatsGoldenTest {
    /** Ratios of integer counts and their sums/products (accuracy, macro F1, Holm's (m − j) p): the reference does
     * the same few double operations in the same order, so a handful of roundings (1.1e-16 each) at most; seen
     * bit-identical. */
    static final Tolerance ARITHMETIC = Tolerance.relative(1e-13, 1e-15);
    /** Binomial and chi-square tails: commons-math's continued fractions (Beta.regularizedBeta,
     * Gamma.regularizedGammaQ, converging to ~1e-15 relative) against Boost's in scipy; seen at most 1.4e-14 relative here, down to p = 1.6e-38.
     * A relative bound, since these p-values span 38 decades; 1e-11 still tells 2·CDF from CDF or from the
     * uncorrected statistic by many orders of magnitude. */
    static final Tolerance TAIL = Tolerance.relative(1e-11, 0);
    /** Student t quantile (Brent solver, absolute accuracy 1e-14 on t ≈ 2–13) and t CDF times a few roundings of
     * sums of ~0.8 over at most 5 seeds; seen at most 1.1e-14 relative (the n = 2 interval, t = 12.7). */
    static final Tolerance STUDENT = Tolerance.relative(1e-11, 1e-15);

    @Test
    void accuracyAndMacroF1MatchNumpyAndClassificationMetrics() {
        for (JsonNode c : Golden.read("metrics-mcnemar.json").get("cases")) {
            int k = c.get("num_classes").asInt();
            int[] labels = Golden.ints(c.get("labels"));
            c.get("predictions").fields().forEachRemaining(e -> {
                int[] p = Golden.ints(e.getValue());
                String what = c.get("name").asText() + " model " + e.getKey();
                ARITHMETIC.assertClose(c.get("accuracy").get(e.getKey()).asDouble(),
                        Metric.ACCURACY.score(labels, p, k), what + " accuracy");
                double f1 = Metric.MACRO_F1.score(labels, p, k);
                ARITHMETIC.assertClose(c.get("macro_f1").get(e.getKey()).asDouble(), f1, what + " macro F1");
                // and the very number the eval step reports for these predictions (via logits whose argmax they are)
                float[][] logits = new float[p.length][k];
                for (int i = 0; i < p.length; i++) {
                    logits[i][p[i]] = 3f;
                }
                List<String> names = new ArrayList<>();
                for (int j = 0; j < k; j++) {
                    names.add("c" + j);
                }
                assertEquals(ClassificationMetrics.compute(names, labels, logits).f1Macro(), f1, what);
            });
        }
    }

    @Test
    void mcNemarOnPredictionsMatchesScipy() {
        int checked = 0;
        for (JsonNode c : Golden.read("metrics-mcnemar.json").get("cases")) {
            int k = c.get("num_classes").asInt();
            int[] labels = Golden.ints(c.get("labels"));
            for (JsonNode m : c.get("mcnemar")) {
                int[] a = Golden.ints(c.get("predictions").get(m.get("model_a").asText()));
                int[] b = Golden.ints(c.get("predictions").get(m.get("model_b").asText()));
                String what = c.get("name").asText() + " " + m.get("name").asText();
                assertMcNemar(m, McNemar.exact(labels, a, b, k), McNemar.chiSquare(labels, a, b, k), what);
                checked++;
            }
        }
        assertEquals(7, checked);
    }

    @Test
    void mcNemarOnCountsMatchesScipy() {
        for (JsonNode m : Golden.read("metrics-mcnemar.json").get("count_cases")) {
            int n = m.get("n").asInt();
            int b = m.get("b").asInt();
            int c = m.get("c").asInt();
            assertMcNemar(m, McNemar.exact(n, b, c), McNemar.chiSquare(n, b, c), m.get("name").asText());
        }
    }

    private static void assertMcNemar(JsonNode m, McNemarResult exact, McNemarResult chi, String what) {
        assertEquals(m.get("b").asInt(), exact.b(), what + " b");
        assertEquals(m.get("c").asInt(), exact.c(), what + " c");
        assertEquals(m.get("b").asInt(), chi.b(), what + " b");
        assertEquals(m.get("c").asInt(), chi.c(), what + " c");
        assertEquals(McNemar.Method.EXACT, exact.method());
        assertEquals(McNemar.Method.CHI_SQUARE, chi.method());
        assertEquals(m.get("exact").get("statistic").asDouble(), exact.statistic(), what + " exact statistic");
        TAIL.assertClose(m.get("exact").get("p_value").asDouble(), exact.pValue(), what + " exact p");
        ARITHMETIC.assertClose(m.get("chi_square").get("statistic").asDouble(), chi.statistic(), what + " chi2");
        TAIL.assertClose(m.get("chi_square").get("p_value").asDouble(), chi.pValue(), what + " chi2 p");
        ARITHMETIC.assertClose((double) (exact.b() - exact.c()) / m.get("n").asInt(), exact.difference(), what);
    }

    @Test
    void seedSummariesMatchScipyTInterval() {
        for (JsonNode s : Golden.read("seeds-holm.json").get("summaries")) {
            String what = "summary " + s.get("name").asText();
            SeedSummary summary = SeedStatistics.summarize(Golden.doubles(s.get("scores")), s.get("level").asDouble());
            assertEquals(s.get("n").asInt(), summary.n(), what);
            ARITHMETIC.assertClose(s.get("mean").asDouble(), summary.mean(), what + " mean");
            if (s.get("n").asInt() == 1) {
                assertFalse(summary.hasInterval(), what);
                assertTrue(summary.sampleStd().isEmpty(), what);
                continue;
            }
            assertTrue(summary.hasInterval(), what);
            ARITHMETIC.assertClose(s.get("std").asDouble(), summary.sampleStd().orElseThrow(), what + " std");
            Interval ci = summary.interval().orElseThrow();
            STUDENT.assertClose(s.get("lower").asDouble(), ci.lower(), what + " lower");
            STUDENT.assertClose(s.get("upper").asDouble(), ci.upper(), what + " upper");
            assertEquals(s.get("level").asDouble(), ci.level());
        }
    }

    @Test
    void pairedTTestMatchesScipyTtestRel() {
        for (JsonNode t : Golden.read("seeds-holm.json").get("paired_t")) {
            String what = "paired t " + t.get("name").asText();
            Optional<PairedTTest> result = SeedStatistics.pairedTTest(Golden.doubles(t.get("a")),
                    Golden.doubles(t.get("b")));
            PairedTTest r = result.orElseThrow();
            assertEquals(t.get("n").asInt(), r.n(), what);
            assertEquals(r.n() - 1, r.degreesOfFreedom(), what);
            ARITHMETIC.assertClose(t.get("mean_difference").asDouble(), r.difference(), what + " mean difference");
            STUDENT.assertClose(Golden.number(t.get("statistic")), r.statistic(), what + " t");
            STUDENT.assertClose(t.get("p_value").asDouble(), r.pValue(), what + " p");
        }
    }

    @Test
    void holmMatchesDefinition() {
        for (JsonNode h : Golden.read("seeds-holm.json").get("holm")) {
            double[] p = Golden.doubles(h.get("p_values"));
            double[] expected = Golden.doubles(h.get("adjusted"));
            double[] adjusted = HolmBonferroni.adjust(p);
            assertEquals(expected.length, adjusted.length);
            for (int i = 0; i < p.length; i++) {
                ARITHMETIC.assertClose(expected[i], adjusted[i], "holm " + h.get("p_values") + " [" + i + "]");
            }
        }
    }
}
