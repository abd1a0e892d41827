package io.mergelab.model.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every corruption gives one CheckpointFormatException naming the file (and tensor where relevant). */
class SafetensorsBadInputTest {
    @TempDir
    Path dir;

    private CheckpointFormatException fails(Path file, String... fragments) {
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> {
            try (SafetensorsFile f = SafetensorsFile.open(file)) {
                f.tensors();
            }
        });
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        for (String s : fragments) {
            assertTrue(e.getMessage().contains(s), () -> "'" + s + "' not in: " + e.getMessage());
        }
        return e;
    }

    private Path file(String header, int dataBytes) throws IOException {
        return RawSafetensors.write(dir.resolve("bad.safetensors"), header, dataBytes);
    }

    @Test
    void shorterThanEightBytes() throws IOException {
        Path f = Files.write(dir.resolve("tiny.safetensors"), new byte[] {1, 2, 3});
        fails(f, "3 bytes", "8-byte");
    }

    @Test
    void emptyFile() throws IOException {
        fails(Files.write(dir.resolve("empty.safetensors"), new byte[0]), "0 bytes");
    }

    @Test
    void headerLengthPastEof() throws IOException {
        Path f = RawSafetensors.write(dir.resolve("short.safetensors"), 500, "{}", new byte[0]);
        fails(f, "header length 500", "past the end");
    }

    @Test
    void headerLengthAbsurd() throws IOException {
        Path f = RawSafetensors.write(dir.resolve("huge.safetensors"), 1L << 40, "{}", new byte[0]);
        fails(f, "header length " + (1L << 40), "limit");
    }

    @Test
    void headerLengthNegativeAsSigned() throws IOException {
        Path f = RawSafetensors.write(dir.resolve("neg.safetensors"), -1L, "{}", new byte[0]);
        fails(f, "18446744073709551615");
    }

    @Test
    void headerNotJson() throws IOException {
        fails(file("{\"a\": [1, 2", 0), "not valid JSON");
    }

    @Test
    void headerJsonNotObject() throws IOException {
        fails(file("[1, 2, 3]", 0), "JSON object", "array");
    }

    @Test
    void headerEmpty() throws IOException {
        fails(file("", 0), "JSON object");
    }

    @Test
    void duplicateTensorName() throws IOException {
        fails(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4), "not valid JSON", "a");
    }

    @Test
    void missingDtype() throws IOException {
        CheckpointFormatException e = fails(file("{\"w\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4),
                "tensor 'w'", "dtype");
        assertEquals("w", e.tensor().orElseThrow());
    }

    @Test
    void missingShape() throws IOException {
        fails(file("{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", 4), "tensor 'w'", "shape");
    }

    @Test
    void missingDataOffsets() throws IOException {
        fails(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4), "tensor 'w'", "data_offsets");
    }

    @Test
    void tensorEntryNotObject() throws IOException {
        fails(file("{\"w\":[1,2]}", 4), "tensor 'w'");
    }

    @Test
    void unknownDtype() throws IOException {
        fails(file("{\"w\":{\"dtype\":\"F8_E4M3\",\"shape\":[1],\"data_offsets\":[0,1]}}", 1),
                "tensor 'w'", "F8_E4M3");
    }

    @Test
    void negativeShape() throws IOException {
        fails(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 4), "tensor 'w'", "shape");
    }

    @Test
    void fractionalShape() throws IOException {
        fails(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}", 4), "tensor 'w'", "shape");
    }

    @Test
    void stringShape() throws IOException {
        fails(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[\"2\"],\"data_offsets\":[0,8]}}", 8), "tensor 'w'", "shape");
    }

    @Test
    void shapeOverflow() throws IOException {
        fails(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,4]}}", 4),
                "tensor 'w'", "overflows");
    }

    @Test
    void offsetsEndBeforeBegin() throws IOException {
        fails(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,4]}}", 8), "tensor 'w'", "end before begin");
    }

    @Test
    void offsetsOutsideBuffer() throws IOException {
        fails(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 8), "tensor 'w'",
                "outside the 8-byte data buffer");
    }

    @Test
    void offsetsWrongArity() throws IOException {
        fails(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", 4), "tensor 'w'", "2 entries");
    }

    @Test
    void byteLengthMismatch() throws IOException {
        fails(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 12), "tensor 'w'",
                "span 8 bytes", "needs 12");
    }

    @Test
    void overlappingTensors() throws IOException {
        fails(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12), "tensor 'b'", "overlap", "'a'");
    }

    @Test
    void metadataValueNotString() throws IOException {
        fails(file("{\"__metadata__\":{\"format\":1}}", 0), "__metadata__.format", "strings");
    }

    @Test
    void gapsAreReadableButNoted() throws IOException {
        byte[] data = new byte[16];
        System.arraycopy(RawSafetensors.le(1f), 0, data, 0, 4);
        System.arraycopy(RawSafetensors.le(2f), 0, data, 8, 4);
        Path f = RawSafetensors.write(dir.resolve("gap.safetensors"),
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                        + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", data);
        try (SafetensorsFile st = SafetensorsFile.open(f)) {
            assertEquals(2f, st.readFloat32("b")[0]);
            List<String> w = st.warnings();
            assertEquals(2, w.size(), w.toString());
            assertTrue(w.get(0).contains("gap before tensor 'b'"), w.toString());
            assertTrue(w.get(1).contains("4 unused bytes"), w.toString());
        }
    }

    @Test
    void readingIntegersAsFloatIsAClearError() throws IOException {
        Path f = RawSafetensors.write(dir.resolve("int.safetensors"),
                "{\"ids\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[0,16]}}", 16);
        try (SafetensorsFile st = SafetensorsFile.open(f)) {
            CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> st.readFloat32("ids"));
            assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("tensor 'ids'")
                    && e.getMessage().contains("I64"), e.getMessage());
            assertEquals(16, st.readRaw("ids").remaining());
        }
    }

    @Test
    void unknownTensorNameIsNamed() throws IOException {
        Path f = RawSafetensors.write(dir.resolve("one.safetensors"),
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4);
        try (SafetensorsFile st = SafetensorsFile.open(f)) {
            CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> st.readFloat32("zz"));
            assertTrue(e.getMessage().contains("tensor 'zz'"), e.getMessage());
        }
    }

    @Test
    void missingFile() {
        fails(dir.resolve("nope.safetensors"), "does not exist");
    }
}
