package io.mergelab.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
 * golden: tools/golden/make_eval_golden.py). Counts are exact; ratios to 1e-12; loss and ECE, which go
 * through float32 logits and exp/log, to 1e-9.
 */
class ClassificationMetricsGoldenTest {

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
        assertEquals(g.get("accuracy").asDouble(), m.accuracy(), 1e-12);
        assertEquals(g.get("f1_macro").asDouble(), m.f1Macro(), 1e-12);
        assertEquals(g.get("f1_weighted").asDouble(), m.f1Weighted(), 1e-12);
        assertEquals(g.get("loss").asDouble(), m.loss(), 1e-9);
        assertEquals(g.get("ece").asDouble(), m.ece(), 1e-9);
        for (int c = 0; c < labels.size(); c++) {
            assertEquals(g.get("precision").get(c).asDouble(), m.precision()[c], 1e-12, "precision " + c);
            assertEquals(g.get("recall").get(c).asDouble(), m.recall()[c], 1e-12, "recall " + c);
            assertEquals(g.get("f1").get(c).asDouble(), m.f1()[c], 1e-12, "f1 " + c);
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
