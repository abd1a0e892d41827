package io.mergelab.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mergelab.testutil.Tolerance;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Metrics on a fixed prediction set against scikit-learn definitions (labels=range(4), zero_division=0;
 * golden: tools/golden/make_eval_golden.py, numpy float64). Counts are exact; the rest is double arithmetic on
 * the same float32 logits, so the tolerances below are relative and far below float32 rounding.
 */
class ClassificationMetricsGoldenTest {
    /** Ratios of integer counts (accuracy, precision, recall, F1 and their means): a handful of double roundings
     * (1.1e-16 each); the floor is for the classes with no support, whose values are exactly 0. */
    static final Tolerance RATIO = Tolerance.relative(1e-13, 1e-15);
    /** Loss and ECE: exp/log of 60 rows (Java's Math.exp and numpy's may differ by an ulp) summed in double;
     * seen equal to the last bit or one ulp apart. The previous 1e-9 absolute allowed ~1e-9 relative. */
    static final Tolerance EXP_LOG = Tolerance.relative(1e-12, 1e-15);

    @Test
    void matchesGolden() throws IOException {
        JsonNode g = new ObjectMapper().readTree(Path.of("src/test/resources/golden/eval/metrics.json").toFile());
        List<String> labels = new ArrayList<>();
        g.get("labels").forEach(l -> labels.add(l.asText()));
        int n = g.get("gold").size();
        int[] gold = new int[n];
        float[][] logits = new float[n][];
        for (int i = 0; i < n; i++) {
            gold[i] = g.get("gold").get(i).asInt();
            JsonNode row = g.get("logits").get(i);
            logits[i] = new float[row.size()];
            for (int j = 0; j < row.size(); j++) {
                logits[i][j] = (float) row.get(j).asDouble();
            }
        }
        ClassificationMetrics m = ClassificationMetrics.compute(labels, gold, logits);
        RATIO.assertClose(g.get("accuracy").asDouble(), m.accuracy(), "accuracy");
        RATIO.assertClose(g.get("f1_macro").asDouble(), m.f1Macro(), "f1_macro");
        RATIO.assertClose(g.get("f1_weighted").asDouble(), m.f1Weighted(), "f1_weighted");
        EXP_LOG.assertClose(g.get("loss").asDouble(), m.loss(), "loss");
        EXP_LOG.assertClose(g.get("ece").asDouble(), m.ece(), "ece");
        for (int c = 0; c < labels.size(); c++) {
            RATIO.assertClose(g.get("precision").get(c).asDouble(), m.precision()[c], "precision " + c);
            RATIO.assertClose(g.get("recall").get(c).asDouble(), m.recall()[c], "recall " + c);
            RATIO.assertClose(g.get("f1").get(c).asDouble(), m.f1()[c], "f1 " + c);
            assertEquals(g.get("support").get(c).asInt(), m.support()[c], "support " + c);
            int[] row = new int[labels.size()];
            for (int j = 0; j < row.length; j++) {
                row[j] = g.get("confusion_matrix").get(c).get(j).asInt();
            }
            assertArrayEquals(row, m.confusion()[c], "confusion row " + c);
        }
        JsonNode json = m.toJson(new ObjectMapper());
        assertEquals(m.accuracy(), json.get("accuracy").asDouble());
        assertEquals(0, json.get("per_class").get("d").get("support").asInt());
        assertEquals(m.f1Macro(), m.metric("eval_f1"));
    }

    @Test
    void perfectConfidentPredictionsHaveNoCalibrationError() {
        ClassificationMetrics m = ClassificationMetrics.compute(List.of("n", "p"), new int[] {0, 1, 1},
                new float[][] {{50, 0}, {0, 50}, {0, 50}});
        assertEquals(1.0, m.accuracy());
        assertEquals(0.0, m.ece(), 1e-12);
        assertEquals(1.0, m.f1Macro());
        assertEquals(2.0 / 3, m.majorityRate(), 1e-12);
    }

    @Test
    void rejectsLabelsOutsideTheLabelSpace() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ClassificationMetrics.compute(List.of("n", "p"), new int[] {2}, new float[][] {{0, 1}}));
        assertEquals("metrics: label 2 of example 0 is outside 0..1", e.getMessage());
    }
}
