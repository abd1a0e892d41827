package io.mergelab.report.stats;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** Reads the fixtures of tools/golden/make_stats_golden.py (committed under src/test/resources/golden/stats). */
final class Golden {
    private Golden() {
    }

    static JsonNode read(String name) {
        try {
            return new ObjectMapper().readTree(Path.of("src/test/resources/golden/stats", name).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }

    static double[] doubles(JsonNode array) {
        double[] out = new double[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asDouble();
        }
        return out;
    }

    static int[][] intMatrix(JsonNode rows) {
        int[][] out = new int[rows.size()][];
        for (int r = 0; r < out.length; r++) {
            out[r] = ints(rows.get(r));
        }
        return out;
    }

    /** A number, or "Infinity" / "-Infinity" (JSON has no infinities). */
    static double number(JsonNode n) {
        return n.isTextual() ? Double.parseDouble(n.asText()) : n.asDouble();
    }

    static Metric metric(String name) {
        return switch (name) {
            case "accuracy" -> Metric.ACCURACY;
            case "macro_f1" -> Metric.MACRO_F1;
            default -> throw new IllegalArgumentException("unknown metric in fixture: " + name);
        };
    }
}
