package io.mergelab.model.checkpoint;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Writes safetensors files atomically (sibling temp file, then rename). Tensors are laid out in the
 * given order, contiguous; the header is space-padded so the data starts 8-byte aligned, as the
 * Python library does.
 */
public final class SafetensorsWriter {
    private SafetensorsWriter() {
    }

    /** Writes all tensors as {@code outDtype} (F32, F16 or BF16). */
    public static void write(Path file, List<FloatTensor> tensors, DType outDtype, Map<String, String> metadata)
            throws IOException {
        requireWritable(outDtype);
        List<TensorSpec> specs = new ArrayList<>(tensors.size());
        for (FloatTensor t : tensors) {
            specs.add(t.spec(outDtype));
        }
        try (Streaming s = Streaming.open(file, specs, metadata)) {
            for (FloatTensor t : tensors) {
                s.put(t);
            }
            s.commit();
        }
    }

    static void requireWritable(DType d) {
        if (d != DType.F32 && d != DType.F16 && d != DType.BF16) {
            throw new IllegalArgumentException("can only write F32, F16 or BF16 safetensors, not " + d);
        }
    }

    /** Header JSON bytes, space-padded so that 8 + length is a multiple of 8. */
    static byte[] header(List<TensorSpec> specs, Map<String, String> metadata) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode m = root.putObject("__metadata__");
            metadata.forEach((k, v) -> m.put(Objects.requireNonNull(k, "metadata key"),
                    Objects.requireNonNull(v, "metadata value for " + k)));
        }
        Set<String> seen = new HashSet<>();
        long offset = 0;
        for (TensorSpec s : specs) {
            if (s.name().equals("__metadata__") || !seen.add(s.name())) {
                throw new IllegalArgumentException("duplicate or reserved tensor name '" + s.name() + "'");
            }
            ObjectNode t = root.putObject(s.name());
            t.put("dtype", s.dtype().name());
            ArrayNode shape = t.putArray("shape");
            for (long d : s.shape()) {
                shape.add(d);
            }
            long end = offset + s.byteLength();
            t.putArray("data_offsets").add(offset).add(end);
            offset = end;
        }
        byte[] json = root.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) & ~7;
        byte[] out = Arrays.copyOf(json, padded);
        Arrays.fill(out, json.length, padded, (byte) ' ');
        return out;
    }

    /**
     * Writes tensors one at a time straight to disk, so a merge never holds the whole model. All
     * specs are fixed up front (the header comes first); {@link #put} must follow their order.
     * {@link #close()} without {@link #commit()} deletes the temp file.
     */
    public static final class Streaming implements AutoCloseable {
        private final Path target;
        private final Path temp;
        private final List<TensorSpec> specs;
        private final FileChannel channel;
        // sha256 of the bytes as written, so manifests need not read the file again
        private final MessageDigest digest;
        private ByteBuffer buffer;
        private long position;
        private int next;
        private boolean committed;
        private String sha256;

        private Streaming(Path target, Path temp, List<TensorSpec> specs, FileChannel channel, long position,
                MessageDigest digest) {
            this.target = target;
            this.temp = temp;
            this.specs = specs;
            this.channel = channel;
            this.position = position;
            this.digest = digest;
        }

        public static Streaming open(Path file, List<TensorSpec> specs, Map<String, String> metadata)
                throws IOException {
            List<TensorSpec> copy = List.copyOf(specs);
            byte[] header = header(copy, metadata);
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Path temp = AtomicFiles.siblingTemp(file, "tmp");
            FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            try {
                ByteBuffer buf = ByteBuffer.allocate(8 + header.length).order(ByteOrder.LITTLE_ENDIAN);
                buf.putLong(header.length).put(header).flip();
                MessageDigest digest = sha256Digest();
                digest.update(buf.duplicate());
                ChannelIo.writeFully(ch, buf, 0);
                return new Streaming(file, temp, copy, ch, 8L + header.length, digest);
            } catch (IOException | RuntimeException e) {
                ch.close();
                Files.deleteIfExists(temp);
                throw e;
            }
        }

        /** The spec the next {@link #put} must match, or null when all were written. */
        public TensorSpec nextSpec() {
            return next < specs.size() ? specs.get(next) : null;
        }

        public void put(FloatTensor t) throws IOException {
            if (committed || !channel.isOpen()) {
                throw new IllegalStateException("writer for " + target + " is already closed");
            }
            TensorSpec s = nextSpec();
            if (s == null) {
                throw new IllegalStateException("unexpected tensor '" + t.name() + "': all " + specs.size()
                        + " tensors of " + target + " were already written");
            }
            if (!s.name().equals(t.name()) || !Arrays.equals(s.shape(), t.shape())) {
                throw new IllegalArgumentException("expected tensor '" + s.name() + "' " + s.shapeString()
                        + " next but got '" + t.name() + "' " + t.shapeString());
            }
            if (buffer == null) {
                // direct: a heap buffer would be copied into a temporary direct one by every write
                long largest = specs.stream().mapToLong(TensorSpec::byteLength).max().orElse(8);
                int capacity = (int) Math.max(8, Math.min(ChannelIo.CHUNK, (largest + 3) & ~3L));
                buffer = ByteBuffer.allocateDirect(capacity).order(ByteOrder.LITTLE_ENDIAN);
            }
            position = writeData(channel, position, t.data(), s.dtype(), buffer, digest);
            next++;
        }

        /** Flushes, closes and renames the temp file onto the target. */
        public void commit() throws IOException {
            if (nextSpec() != null) {
                throw new IllegalStateException(target + ": tensor '" + nextSpec().name() + "' and "
                        + (specs.size() - next - 1) + " more were never written");
            }
            channel.force(false);
            channel.close();
            AtomicFiles.move(temp, target);
            sha256 = HexFormat.of().formatHex(digest.digest());
            committed = true;
        }

        /** Lower-case hex sha256 of the file written; only after {@link #commit()}. */
        public String sha256() {
            if (!committed) {
                throw new IllegalStateException(target + " is not committed yet");
            }
            return sha256;
        }

        @Override
        public void close() throws IOException {
            if (!committed) {
                channel.close();
                Files.deleteIfExists(temp);
            }
        }
    }

    private static long writeData(FileChannel ch, long pos, float[] data, DType dtype, ByteBuffer buf,
            MessageDigest digest) throws IOException {
        int perChunk = buf.capacity() / dtype.byteSize();
        long p = pos;
        for (int i = 0; i < data.length; i += perChunk) {
            int n = Math.min(perChunk, data.length - i);
            buf.clear();
            if (dtype == DType.F32) {
                buf.asFloatBuffer().put(data, i, n);
                buf.limit(n * 4);
            } else {
                boolean bf16 = dtype == DType.BF16;
                for (int j = 0; j < n; j++) {
                    buf.putShort(bf16 ? HalfFloats.f32ToBf16(data[i + j]) : HalfFloats.f32ToF16(data[i + j]));
                }
                buf.flip();
            }
            digest.update(buf.duplicate());
            ChannelIo.writeFully(ch, buf, p);
            p += (long) n * dtype.byteSize();
        }
        return p;
    }

    private static MessageDigest sha256Digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }
}
