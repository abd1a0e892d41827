package io.mergelab.pipeline;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** {@code logits.json}: gold labels and per-example logits of an evaluation, for ensembles and the stacker. */
final class LogitsFile {
    static final String FILE = "logits.json";

    private LogitsFile() {
    }

    record Logits(int[] gold, float[][] logits) {
    }

    static void write(Path dir, int[] gold, float[][] logits) throws IOException {
        Files.writeString(dir.resolve(FILE), new com.fasterxml.jackson.databind.ObjectMapper()
                .writeValueAsString(Map.of("gold", gold, "logits", logits)));
    }

    static Logits read(Path dir) throws IOException {
        JsonNode n = Canonical.json().readTree(dir.resolve(FILE).toFile());
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
