package io.mergelab.model.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Builds safetensors bytes by hand so tests can corrupt any part. */
final class RawSafetensors {
    private RawSafetensors() {
    }

    static Path write(Path file, String headerJson, int dataBytes) throws IOException {
        return write(file, headerJson.getBytes(StandardCharsets.UTF_8).length, headerJson, new byte[dataBytes]);
    }

    static Path write(Path file, String headerJson, byte[] data) throws IOException {
        return write(file, headerJson.getBytes(StandardCharsets.UTF_8).length, headerJson, data);
    }

    static Path write(Path file, long declaredHeaderLength, String headerJson, byte[] data) throws IOException {
        byte[] h = headerJson.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(declaredHeaderLength).put(h).put(data);
        Files.write(file, b.array());
        return file;
    }

    static byte[] le(float... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return b.array();
    }

    static byte[] leShorts(int... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : values) {
            b.putShort((short) v);
        }
        return b.array();
    }
}
