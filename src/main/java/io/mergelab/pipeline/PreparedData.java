package io.mergelab.pipeline;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mergelab.data.DatasetSplits;
import io.mergelab.data.Example;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A data step's output: {@code dataset.json} (name, labels, sizes) and one JSONL file per split. */
final class PreparedData {
    private static final ObjectMapper JSON = new ObjectMapper();

    private PreparedData() {
    }

    static void write(DatasetSplits s, Path dir) throws IOException {
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("name", s.name());
        meta.put("labels", s.labels());
        meta.put("sizes", Map.of("train", s.train().size(), "validation", s.validation().size(),
                "test", s.test().size()));
        Files.writeString(dir.resolve("dataset.json"), Canonical.json().writeValueAsString(meta));
        for (String split : List.of("train", "validation", "test")) {
            try (BufferedWriter w = Files.newBufferedWriter(dir.resolve(split + ".jsonl"), StandardCharsets.UTF_8)) {
                for (Example e : s.split(split)) {
                    w.write(JSON.writeValueAsString(Map.of("text", e.text(), "label", e.label())));
                    w.write('\n');
                }
            }
        }
    }

    static DatasetSplits read(Path dir) throws IOException {
        Map<String, Object> meta = JSON.readValue(dir.resolve("dataset.json").toFile(), new TypeReference<>() { });
        @SuppressWarnings("unchecked")
        List<String> labels = (List<String>) meta.get("labels");
        return new DatasetSplits((String) meta.get("name"), labels, split(dir, "train"), split(dir, "validation"),
                split(dir, "test"));
    }

    private static List<Example> split(Path dir, String split) throws IOException {
        List<Example> out = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(dir.resolve(split + ".jsonl"), StandardCharsets.UTF_8)) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (!line.isBlank()) {
                    Map<String, Object> m = JSON.readValue(line, new TypeReference<>() { });
                    out.add(new Example((String) m.get("text"), ((Number) m.get("label")).intValue()));
                }
            }
        }
        return out;
    }
}
