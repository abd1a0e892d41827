package io.mergelab.report.stats;

import com.fasterxml.jackson.databind.JsonNode;
import io.mergelab.testutil.Tolerance;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bootstrap against tools/golden/make_stats_golden.py: (a) on the reference's own resampled indices
 * (bootstrap-given.json: 100 resamples of 200 examples), every number must agree to rounding; (b) with the Java
 * RNG's default 2000 resamples, the interval and p-value must lie within a Monte-Carlo bound of a 100 000-resample
 * numpy reference on the 300-example set of metrics-mcnemar.json (bootstrap-reference.json).
 */
class BootstrapGoldenTest {
    /** Same metric values as numpy (same operations, see StatsGoldenTest.ARITHMETIC), then one interpolation
     * a + (b − a) t whose position (B − 1) q numpy computes as B q + (1 − q) − 1, a rounding apart: ~1e-16;
     * seen bit-identical. */
    static final Tolerance GIVEN = Tolerance.relative(1e-12, 1e-14);

    @Test
    void givenResamplesReproduceNumpyPercentilesAndPValues() {
        JsonNode g = Golden.read("bootstrap-given.json");
        int k = g.get("num_classes").asInt();
        double level = g.get("level").asDouble();
        int[] labels = Golden.ints(g.get("labels"));
        int[][] resamples = Golden.intMatrix(g.get("resamples"));
        for (JsonNode e : g.get("intervals")) {
            String what = e.get("model").asText() + " " + e.get("metric").asText();
            BootstrapInterval ci = Bootstrap.interval(labels, Golden.ints(g.get("predictions").get(e.get("model")
                    .asText())), k, Golden.metric(e.get("metric").asText()), resamples, level);
            GIVEN.assertClose(e.get("estimate").asDouble(), ci.estimate(), what + " estimate");
            GIVEN.assertClose(e.get("lower").asDouble(), ci.lower(), what + " lower");
            GIVEN.assertClose(e.get("upper").asDouble(), ci.upper(), what + " upper");
            assertEquals(resamples.length, ci.resamples());
            assertEquals(level, ci.level());
        }
        for (JsonNode e : g.get("paired")) {
            String what = e.get("model_a").asText() + " vs " + e.get("model_b").asText() + " "
                    + e.get("metric").asText();
            PairedBootstrapResult r = Bootstrap.pairedTest(labels,
                    Golden.ints(g.get("predictions").get(e.get("model_a").asText())),
                    Golden.ints(g.get("predictions").get(e.get("model_b").asText())), k,
                    Golden.metric(e.get("metric").asText()), resamples, level);
            GIVEN.assertClose(e.get("difference").asDouble(), r.difference(), what + " difference");
            GIVEN.assertClose(e.get("lower").asDouble(), r.lower(), what + " lower");
            GIVEN.assertClose(e.get("upper").asDouble(), r.upper(), what + " upper");
            // a ratio of counts: exact unless a resampled difference fell on the other side of 0
            assertEquals(e.get("p_value").asDouble(), r.pValue(), 1e-15, what + " p");
            assertEquals(resamples.length, r.resamples());
        }
    }

    /**
     * Monte-Carlo bound. A q-quantile estimated from B independent resamples has standard error
     * sqrt(q (1 − q) / B) / f(x_q) (asymptotic order statistics); with the bootstrap distribution close to normal with
     * the reference's standard deviation sd, f(x_q) = φ(z_q) / sd. Java (B = 2000) and the reference (100 000) are
     * independent, so the difference has SE = sqrt(q (1 − q)) sd / φ(z_q) · sqrt(1/2000 + 1/100 000) ≈ 0.060 sd
     * for q = 0.025 (≈ 1.4e-3 for sd ≈ 0.023). We allow 4 SE (a normal deviate beyond 4 has probability 6e-5) plus
     * one lattice step 1/n: accuracy (and accuracy differences) only take values k/n, so the two empirical quantiles
     * can sit one step apart even when both are accurate; macro F1 moves in steps of that size or smaller.
     * For the p-value p = 2 (count + 1) / (B + 1) with count ~ Binomial(B, π), π ≈ p/2: SE = 2 sqrt(π (1 − π)) ·
     * sqrt(1/2000 + 1/100 000); allowed 4 SE plus the +1 correction's 2 / (B + 1). The seeds are fixed, so a pass
     * is reproducible; the bound is what makes a pass meaningful and a failure a real discrepancy.
     */
    @Test
    void javaResamplesAgreeWithLargeNumpyReferenceWithinMonteCarloError() {
        JsonNode data = Golden.read("metrics-mcnemar.json").get("cases").get(0);
        assertEquals("three_class", data.get("name").asText());
        JsonNode ref = Golden.read("bootstrap-reference.json");
        int k = ref.get("num_classes").asInt();
        double level = ref.get("level").asDouble();
        int bRef = ref.get("resamples").asInt();
        int[] labels = Golden.ints(data.get("labels"));
        int n = labels.length;
        double q = (1 - level) / 2;
        double zDensity = Math.exp(-0.5 * 1.959963984540054 * 1.959963984540054) / Math.sqrt(2 * Math.PI);
        double worst = 0;
        for (long seed : new long[] {BootstrapConfig.DEFAULT_SEED, 7, 99}) {
            Bootstrap bootstrap = new Bootstrap(BootstrapConfig.DEFAULT.withSeed(seed));
            int b = bootstrap.config().resamples();
            double mcFactor = Math.sqrt(1.0 / b + 1.0 / bRef);
            for (JsonNode e : ref.get("reference")) {
                Metric metric = Golden.metric(e.get("metric").asText());
                int[] a = Golden.ints(data.get("predictions").get(e.get("model_a").asText()));
                int[] other = Golden.ints(data.get("predictions").get(e.get("model_b").asText()));
                String what = "seed " + seed + " " + e.get("model_a").asText() + " vs " + e.get("model_b").asText()
                        + " " + e.get("metric").asText();

                BootstrapInterval ci = bootstrap.interval(labels, a, k, metric);
                double bound = 4 * Math.sqrt(q * (1 - q)) * e.get("a").get("sd").asDouble() / zDensity * mcFactor
                        + 1.0 / n;
                worst = Math.max(worst, within(e.get("a").get("lower").asDouble(), ci.lower(), bound, what + " lower"));
                worst = Math.max(worst, within(e.get("a").get("upper").asDouble(), ci.upper(), bound, what + " upper"));

                PairedBootstrapResult r = bootstrap.pairedTest(labels, a, other, k, metric);
                JsonNode d = e.get("difference");
                double dBound = 4 * Math.sqrt(q * (1 - q)) * d.get("sd").asDouble() / zDensity * mcFactor + 1.0 / n;
                worst = Math.max(worst, within(d.get("lower").asDouble(), r.lower(), dBound, what + " diff lower"));
                worst = Math.max(worst, within(d.get("upper").asDouble(), r.upper(), dBound, what + " diff upper"));
                double pi = d.get("p_value").asDouble() / 2;
                double pBound = 4 * 2 * Math.sqrt(pi * (1 - pi)) * mcFactor + 2.0 / (b + 1);
                worst = Math.max(worst, within(d.get("p_value").asDouble(), r.pValue(), pBound, what + " p"));
            }
        }
        System.out.println("bootstrap vs 100 000-resample reference: worst fraction of the Monte-Carlo bound " + worst);
    }

    private static double within(double expected, double actual, double bound, String what) {
        double d = Math.abs(expected - actual);
        assertTrue(d <= bound, what + ": reference " + expected + ", Java " + actual + ", |diff| " + d
                + " > Monte-Carlo bound " + bound);
        return d / bound;
    }
}
