package io.mergelab.merge;

import io.mergelab.model.checkpoint.CheckpointFormatException;
import io.mergelab.model.checkpoint.DType;
import io.mergelab.model.checkpoint.TensorInfo;

import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;

/**
 * Reads F32 tensors through a per-thread direct buffer: one copy from the page cache into the buffer and
 * one into the float[] (a heap ByteBuffer costs a third copy and 4 MB of garbage per tensor). F16/BF16
 * go through {@link io.mergelab.model.checkpoint.CheckpointDir#readFloat32}, which widens them.
 */
public final class TensorReader {
    private static final int CHUNK = 1 << 22;
    private static final ThreadLocal<ByteBuffer> BUFFER =
            ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(CHUNK).order(ByteOrder.LITTLE_ENDIAN));

    private TensorReader() {
    }

    /** Reads {@code t} of model {@code m} into a new array (the task-vector analysis reads through here too). */
    public static float[] read(ModelInput m, TensorInfo t) {
        return read(m, t, null);
    }

    /** @param recycler where the array comes from, or null for a new one */
    static float[] read(ModelInput m, TensorInfo t, FloatArrayRecycler recycler) {
        if (t.dtype() != DType.F32 || t.numel() > Integer.MAX_VALUE - 8) {
            if (recycler != null) {
                recycler.allocatedElsewhere(t.numel());
            }
            return m.dir().readFloat32(t);
        }
        if (t.byteLength() != t.numel() * 4) {
            throw new CheckpointFormatException(t.file(), t.name(), "byte length " + t.byteLength()
                    + " does not match shape " + t.shapeString());
        }
        float[] out = recycler == null ? new float[(int) t.numel()] : recycler.acquire((int) t.numel());
        ByteBuffer buf = BUFFER.get();
        try (FileChannel ch = FileChannel.open(t.file(), StandardOpenOption.READ)) {
            long pos = t.fileOffset();
            long remaining = t.byteLength();
            int idx = 0;
            while (remaining > 0) {
                buf.clear();
                buf.limit((int) Math.min(CHUNK, remaining));
                while (buf.hasRemaining()) {
                    int n = ch.read(buf, pos + buf.position());
                    if (n < 0) {
                        throw new EOFException(t.file() + ": tensor '" + t.name() + "' is truncated");
                    }
                }
                buf.flip();
                int count = buf.remaining() / 4;
                buf.asFloatBuffer().get(out, idx, count);
                idx += count;
                pos += buf.limit();
                remaining -= buf.limit();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("model '" + m.ref() + "': cannot read tensor '" + t.name() + "' from "
                    + t.file(), e);
        }
        return out;
    }
}
