package io.mergelab.model.checkpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * {@code model.safetensors.index.json}: which shard file holds each tensor.
 *
 * @param totalSize bytes of tensor data over all shards (metadata.total_size), -1 when absent
 * @param weightMap tensor name to shard file name (a plain file name in the same directory)
 */
public record ShardedIndex(long totalSize, Map<String, String> weightMap) {
    public static final String FILE_NAME = "model.safetensors.index.json";

    public ShardedIndex {
        weightMap = Collections.unmodifiableMap(new LinkedHashMap<>(weightMap));
        for (Map.Entry<String, String> e : weightMap.entrySet()) {
            if (!isPlainFileName(e.getValue())) {
                throw new IllegalArgumentException("shard of '" + e.getKey() + "' must be a plain file name, got '"
                        + e.getValue() + "'");
            }
        }
    }

    /** Distinct shard file names, sorted (so model-00001-of-... comes first). */
    public List<String> shardFiles() {
        return List.copyOf(new TreeSet<>(weightMap.values()));
    }

    public static ShardedIndex read(Path file) {
        JsonNode root;
        try {
            root = Json.STRICT.readTree(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            throw new CheckpointFormatException(file, "file does not exist");
        } catch (JsonProcessingException e) {
            throw new CheckpointFormatException(file, null, "not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        if (root == null || !root.isObject()) {
            throw new CheckpointFormatException(file, "must be a JSON object");
        }
        long total = -1;
        JsonNode meta = root.get("metadata");
        if (meta != null && !meta.isNull()) {
            JsonNode ts = meta.get("total_size");
            if (ts != null && !ts.isNull()) {
                // transformers has written total_size as a float in some versions
                if (!ts.isNumber() || ts.doubleValue() < 0 || ts.doubleValue() != Math.rint(ts.doubleValue())) {
                    throw CheckpointFormatException.field(file, "metadata.total_size", "must be a non-negative integer");
                }
                total = ts.longValue();
            }
        }
        JsonNode wm = root.get("weight_map");
        if (wm == null || !wm.isObject()) {
            throw CheckpointFormatException.field(file, "weight_map", "missing or not an object");
        }
        Map<String, String> map = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : wm.properties()) {
            JsonNode v = e.getValue();
            if (!v.isTextual() || !isPlainFileName(v.textValue())) {
                throw CheckpointFormatException.field(file, "weight_map." + e.getKey(),
                        "must be a shard file name in the same directory, got " + v);
            }
            map.put(e.getKey(), v.textValue());
        }
        return new ShardedIndex(total, map);
    }

    /** Pretty JSON with sorted weight_map, as transformers writes it; atomic. */
    public void write(Path file) throws IOException {
        AtomicFiles.writeString(file, toJson());
    }

    public String toJson() {
        ObjectNode root = Json.MAPPER.createObjectNode();
        ObjectNode meta = root.putObject("metadata");
        if (totalSize >= 0) {
            meta.put("total_size", totalSize);
        }
        ObjectNode wm = root.putObject("weight_map");
        new TreeMap<>(weightMap).forEach(wm::put);
        return Json.pretty(root);
    }

    static boolean isPlainFileName(String s) {
        return s != null && !s.isEmpty() && !s.equals(".") && !s.equals("..") && s.indexOf('/') < 0
                && s.indexOf('\\') < 0 && s.indexOf('\0') < 0;
    }
}
