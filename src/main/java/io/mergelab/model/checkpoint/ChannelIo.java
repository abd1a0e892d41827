package io.mergelab.model.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/** Positional (long-offset) reads and writes, so files over 2 GiB work. */
final class ChannelIo {
    private ChannelIo() {
    }

    /** Chunk size for converting reads/writes: bounds the temporary buffer, not the tensor size. */
    static final int CHUNK = 1 << 22;

    static void readFully(Path file, FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        long p = pos;
        while (buf.hasRemaining()) {
            int r = ch.read(buf, p);
            if (r < 0) {
                throw new CheckpointFormatException(file, "unexpected end of file at byte " + p
                        + " (file changed or truncated while reading?)");
            }
            p += r;
        }
    }

    static void writeFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        long p = pos;
        while (buf.hasRemaining()) {
            p += ch.write(buf, p);
        }
    }

    static float[] readFloat32(FileChannel ch, TensorInfo t) throws IOException {
        DType dt = t.dtype();
        if (dt != DType.F32 && dt != DType.F16 && dt != DType.BF16) {
            throw new CheckpointFormatException(t.file(), t.name(), "dtype " + dt
                    + " cannot be read as float32 (only F32, F16 and BF16 are)");
        }
        long n = t.numel();
        if (n > Shapes.MAX_ARRAY) {
            throw new CheckpointFormatException(t.file(), t.name(), n + " elements do not fit a Java array");
        }
        float[] out = new float[(int) n];
        ByteBuffer buf = ByteBuffer.allocate((int) Math.min(CHUNK, t.byteLength())).order(ByteOrder.LITTLE_ENDIAN);
        long pos = t.fileOffset();
        long remaining = t.byteLength();
        int idx = 0;
        while (remaining > 0) {
            buf.clear();
            buf.limit((int) Math.min(buf.capacity(), remaining));
            readFully(t.file(), ch, buf, pos);
            buf.flip();
            int count = buf.remaining() / dt.byteSize();
            switch (dt) {
                case F32 -> buf.asFloatBuffer().get(out, idx, count);
                case F16 -> {
                    for (int i = 0; i < count; i++) {
                        out[idx + i] = HalfFloats.f16ToF32(buf.getShort());
                    }
                }
                default -> {
                    for (int i = 0; i < count; i++) {
                        out[idx + i] = HalfFloats.bf16ToF32(buf.getShort());
                    }
                }
            }
            idx += count;
            pos += buf.limit();
            remaining -= buf.limit();
        }
        return out;
    }

    static ByteBuffer readRaw(FileChannel ch, TensorInfo t) throws IOException {
        if (t.byteLength() > Shapes.MAX_ARRAY) {
            throw new CheckpointFormatException(t.file(), t.name(), t.byteLength()
                    + " bytes do not fit one ByteBuffer; read it as float32 instead");
        }
        ByteBuffer buf = ByteBuffer.allocate((int) t.byteLength()).order(ByteOrder.LITTLE_ENDIAN);
        readFully(t.file(), ch, buf, t.fileOffset());
        buf.flip();
        return buf;
    }
}
