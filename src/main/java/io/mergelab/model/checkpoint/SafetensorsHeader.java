package io.mergelab.model.checkpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Parses and validates a safetensors header so that later reads can trust every offset. */
final class SafetensorsHeader {
    /** Same cap as the Python safetensors library; anything bigger is a corrupt or foreign file. */
    static final long MAX_HEADER_BYTES = 100_000_000L;

    final Map<String, String> metadata;
    final List<TensorInfo> tensors; // sorted by offset
    final List<String> warnings;
    final long dataStart;

    private SafetensorsHeader(Map<String, String> metadata, List<TensorInfo> tensors, List<String> warnings,
            long dataStart) {
        this.metadata = Collections.unmodifiableMap(metadata);
        this.tensors = List.copyOf(tensors);
        this.warnings = List.copyOf(warnings);
        this.dataStart = dataStart;
    }

    static SafetensorsHeader read(Path file, FileChannel ch) throws IOException {
        long size = ch.size();
        if (size < 8) {
            throw new CheckpointFormatException(file, "file is " + size
                    + " bytes, shorter than the 8-byte header length every safetensors file starts with");
        }
        ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        ChannelIo.readFully(file, ch, lenBuf, 0);
        long n = lenBuf.getLong(0);
        if (n < 0 || n > MAX_HEADER_BYTES) {
            throw new CheckpointFormatException(file, "header length " + Long.toUnsignedString(n)
                    + " exceeds the " + MAX_HEADER_BYTES + "-byte limit (not a safetensors file?)");
        }
        if (n > size - 8) {
            throw new CheckpointFormatException(file, "header length " + n + " runs past the end of the file ("
                    + size + " bytes; truncated download?)");
        }
        ByteBuffer hb = ByteBuffer.allocate((int) n);
        ChannelIo.readFully(file, ch, hb, 8);
        JsonNode root;
        try {
            root = Json.STRICT.readTree(hb.array());
        } catch (JsonProcessingException e) {
            throw new CheckpointFormatException(file, null, "header is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new CheckpointFormatException(file, "header must be a JSON object, got "
                    + (root == null || root.isMissingNode() ? "nothing" : root.getNodeType().toString().toLowerCase()));
        }
        long dataStart = 8 + n;
        return parse(file, root, dataStart, size - dataStart);
    }

    private static SafetensorsHeader parse(Path file, JsonNode root, long dataStart, long dataLen) {
        Map<String, String> metadata = new LinkedHashMap<>();
        List<TensorInfo> tensors = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : root.properties()) {
            if (e.getKey().equals("__metadata__")) {
                parseMetadata(file, e.getValue(), metadata);
            } else {
                tensors.add(parseTensor(file, e.getKey(), e.getValue(), dataStart, dataLen));
            }
        }
        tensors.sort(Comparator.comparingLong(TensorInfo::fileOffset)
                .thenComparingLong(TensorInfo::byteLength).thenComparing(TensorInfo::name));
        List<String> warnings = checkLayout(file, tensors, dataStart, dataLen);
        return new SafetensorsHeader(metadata, tensors, warnings, dataStart);
    }

    private static void parseMetadata(Path file, JsonNode node, Map<String, String> out) {
        if (node.isNull()) {
            return;
        }
        if (!node.isObject()) {
            throw CheckpointFormatException.field(file, "__metadata__", "must be an object of strings");
        }
        for (Map.Entry<String, JsonNode> m : node.properties()) {
            if (!m.getValue().isTextual()) {
                throw CheckpointFormatException.field(file, "__metadata__." + m.getKey(),
                        "metadata values must be strings, got " + m.getValue());
            }
            out.put(m.getKey(), m.getValue().textValue());
        }
    }

    private static TensorInfo parseTensor(Path file, String name, JsonNode node, long dataStart, long dataLen) {
        if (!node.isObject()) {
            throw new CheckpointFormatException(file, name, "entry must be an object with dtype, shape, data_offsets");
        }
        JsonNode dt = node.get("dtype");
        if (dt == null || !dt.isTextual()) {
            throw new CheckpointFormatException(file, name, "missing or non-string 'dtype'");
        }
        DType dtype = DType.parse(dt.textValue(), file, name);
        long[] shape = longArray(file, name, "shape", node.get("shape"), -1);
        long[] offs = longArray(file, name, "data_offsets", node.get("data_offsets"), 2);
        long begin = offs[0];
        long end = offs[1];
        if (end < begin) {
            throw new CheckpointFormatException(file, name, "data_offsets [" + begin + ", " + end + "] end before begin");
        }
        if (end > dataLen) {
            throw new CheckpointFormatException(file, name, "data_offsets [" + begin + ", " + end
                    + "] lie outside the " + dataLen + "-byte data buffer (truncated file?)");
        }
        long expected;
        try {
            expected = Math.multiplyExact(Shapes.numel(shape), dtype.byteSize());
        } catch (ArithmeticException e) {
            throw new CheckpointFormatException(file, name, "shape " + Arrays.toString(shape) + " overflows");
        }
        if (end - begin != expected) {
            throw new CheckpointFormatException(file, name, "data_offsets [" + begin + ", " + end + "] span "
                    + (end - begin) + " bytes but " + dtype + " " + Arrays.toString(shape) + " needs " + expected);
        }
        return new TensorInfo(name, dtype, shape, dataStart + begin, end - begin, file);
    }

    /** Non-negative integers only; {@code len} < 0 means any length. */
    private static long[] longArray(Path file, String tensor, String field, JsonNode node, int len) {
        if (node == null || !node.isArray()) {
            throw new CheckpointFormatException(file, tensor, "missing or non-array '" + field + "'");
        }
        if (len >= 0 && node.size() != len) {
            throw new CheckpointFormatException(file, tensor, "'" + field + "' must have " + len
                    + " entries, got " + node);
        }
        long[] out = new long[node.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode v = node.get(i);
            if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 0) {
                throw new CheckpointFormatException(file, tensor, "'" + field + "' must hold non-negative integers, got "
                        + node);
            }
            out[i] = v.longValue();
        }
        return out;
    }

    /** Overlaps are fatal (two tensors would alias); gaps and trailing bytes are only noted. */
    private static List<String> checkLayout(Path file, List<TensorInfo> sorted, long dataStart, long dataLen) {
        List<String> warnings = new ArrayList<>();
        long covered = 0; // relative end of the furthest non-empty tensor so far
        TensorInfo last = null;
        for (TensorInfo t : sorted) {
            if (t.byteLength() == 0) {
                continue;
            }
            long begin = t.fileOffset() - dataStart;
            if (begin < covered) {
                throw new CheckpointFormatException(file, t.name(), "data_offsets overlap tensor '" + last.name()
                        + "' (begin " + begin + " < " + covered + ")");
            }
            if (begin > covered) {
                warnings.add(file + ": " + (begin - covered) + "-byte gap before tensor '" + t.name() + "'");
            }
            covered = begin + t.byteLength();
            last = t;
        }
        if (covered < dataLen) {
            warnings.add(file + ": " + (dataLen - covered) + " unused bytes after the last tensor");
        }
        return warnings;
    }
}
