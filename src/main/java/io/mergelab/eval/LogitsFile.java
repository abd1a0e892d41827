package io.mergelab.eval;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * {@code logits.json}: gold labels and per-example logits of an evaluation, for ensembles, the stacker and the
 * report's paired tests.
 */
public final class LogitsFile {
    public static final String FILE = "logits.json";

    private LogitsFile() {
    }

    public record Logits(int[] gold, float[][] logits) {
    }

    public static void write(Path dir, int[] gold, float[][] logits) throws IOException {
        Files.writeString(dir.resolve(FILE), new com.fasterxml.jackson.databind.ObjectMapper()
                .writeValueAsString(Map.of("gold", gold, "logits", logits)));
    }

    public static Logits read(Path dir) throws IOException {
        JsonNode n = new com.fasterxml.jackson.databind.ObjectMapper().readTree(dir.resolve(FILE).toFile());
        int[] gold = new int[n.get("gold").size()];
        float[][] logits = new float[gold.length][];
        for (int i = 0; i < gold.length; i++) {
            gold[i] = n.get("gold").get(i).asInt();
            JsonNode row = n.get("logits").get(i);
            logits[i] = new float[row.size()];
            for (int j = 0; j < row.size(); j++) {
                logits[i][j] = (float) row.get(j).asDouble();
            }
        }
        return new Logits(gold, logits);
    }
}
