package io.mergelab.model.checkpoint;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One open .safetensors file. {@link #open} reads and validates only the header; tensor data is
 * read on demand with positional IO. Holds one FileChannel until {@link #close()}; concurrent reads
 * from several threads are safe.
 */
public final class SafetensorsFile implements AutoCloseable {
    private final Path path;
    private final FileChannel channel;
    private final SafetensorsHeader header;
    private final Map<String, TensorInfo> byName;

    private SafetensorsFile(Path path, FileChannel channel, SafetensorsHeader header) {
        this.path = path;
        this.channel = channel;
        this.header = header;
        Map<String, TensorInfo> m = new HashMap<>();
        for (TensorInfo t : header.tensors) {
            m.put(t.name(), t);
        }
        this.byName = Map.copyOf(m);
    }

    /** Opens and validates the header; a malformed file gives a {@link CheckpointFormatException}. */
    public static SafetensorsFile open(Path file) {
        FileChannel ch;
        try {
            ch = FileChannel.open(file, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new CheckpointFormatException(file, "file does not exist");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open " + file, e);
        }
        try {
            return new SafetensorsFile(file, ch, SafetensorsHeader.read(file, ch));
        } catch (IOException e) {
            closeAfterFailure(ch, e);
            throw new UncheckedIOException("cannot read header of " + file, e);
        } catch (RuntimeException | Error e) {
            closeAfterFailure(ch, e);
            throw e;
        }
    }

    /** Header only: opens, validates and closes again. */
    public static List<TensorInfo> readTensorInfos(Path file) {
        try (SafetensorsFile f = open(file)) {
            return f.tensors();
        }
    }

    public Path path() {
        return path;
    }

    /** The __metadata__ map (empty when absent). */
    public Map<String, String> metadata() {
        return header.metadata;
    }

    /** All tensors, sorted by their offset in the file. */
    public List<TensorInfo> tensors() {
        return header.tensors;
    }

    public Optional<TensorInfo> tensor(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** Gaps between tensors or unused trailing bytes: legal but suspicious. */
    public List<String> warnings() {
        return header.warnings;
    }

    /** F32 as is, F16/BF16 widened; other dtypes are an error. */
    public float[] readFloat32(String name) {
        return readFloat32(require(name));
    }

    public float[] readFloat32(TensorInfo t) {
        checkOwned(t);
        try {
            return ChannelIo.readFloat32(channel, t);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read tensor '" + t.name() + "' from " + path, e);
        }
    }

    public FloatTensor readFloatTensor(String name) {
        TensorInfo t = require(name);
        return new FloatTensor(name, t.shape(), readFloat32(t));
    }

    /** A little-endian heap copy of the raw bytes, positioned at 0. */
    public ByteBuffer readRaw(String name) {
        TensorInfo t = require(name);
        checkOwned(t);
        try {
            return ChannelIo.readRaw(channel, t);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read tensor '" + name + "' from " + path, e);
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close " + path, e);
        }
    }

    private TensorInfo require(String name) {
        TensorInfo t = byName.get(name);
        if (t == null) {
            throw new CheckpointFormatException(path, name, "no such tensor in this file");
        }
        return t;
    }

    private void checkOwned(TensorInfo t) {
        if (!channel.isOpen()) {
            throw new IllegalStateException(path + " is closed");
        }
        if (!t.equals(byName.get(t.name()))) {
            throw new IllegalArgumentException(t + " does not come from " + path);
        }
    }

    private static void closeAfterFailure(FileChannel ch, Throwable primary) {
        try {
            ch.close();
        } catch (IOException e) {
            primary.addSuppressed(e);
        }
    }
}
