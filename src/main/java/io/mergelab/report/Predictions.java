package io.mergelab.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * One result's per-example gold labels and predictions (the argmax of the logits its step wrote in
 * {@code logits.json}): what the bootstrap intervals and paired tests resample.
 */
record Predictions(int[] gold, int[] predicted) {
    static final String FILE = "logits.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    static Predictions read(Path stepDir) throws IOException {
        JsonNode n = JSON.readTree(stepDir.resolve(FILE).toFile());
        int[] gold = new int[n.path("gold").size()];
        int[] predicted = new int[gold.length];
        for (int i = 0; i < gold.length; i++) {
            gold[i] = n.path("gold").get(i).asInt();
            JsonNode row = n.path("logits").get(i);
            int best = 0;
            for (int j = 1; j < row.size(); j++) {
                if (row.get(j).asDouble() > row.get(best).asDouble()) { // first maximum, as argmax
                    best = j;
                }
            }
            predicted[i] = best;
        }
        return new Predictions(gold, predicted);
    }

    /** The predictions of result {@code r} of {@code results}, or null when its step wrote none. */
    static Predictions of(StudyResults results, EvalRecord r) {
        Path dir = results.stepDir(r);
        if (!java.nio.file.Files.isRegularFile(dir.resolve(FILE))) {
            return null;
        }
        try {
            return read(dir);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Same examples in the same order: a paired test needs them. */
    boolean sameExamples(Predictions other) {
        return Arrays.equals(gold, other.gold);
    }
}
