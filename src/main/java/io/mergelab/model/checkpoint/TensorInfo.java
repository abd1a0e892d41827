package io.mergelab.model.checkpoint;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;

/**
 * Where one tensor lives on disk.
 *
 * @param fileOffset absolute byte offset of the tensor data in {@code file} (header already skipped)
 */
public record TensorInfo(String name, DType dtype, long[] shape, long fileOffset, long byteLength, Path file) {

    public TensorInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(file, "file");
        shape = shape.clone();
        if (fileOffset < 0 || byteLength < 0) {
            throw new IllegalArgumentException("negative offset/length for " + name);
        }
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    public long numel() {
        return Shapes.numel(shape);
    }

    public int rank() {
        return shape.length;
    }

    /** E.g. "[768, 2304]". */
    public String shapeString() {
        return Arrays.toString(shape);
    }

    /** Same tensor under another name (e.g. canonical vs. transformers naming). */
    public TensorInfo withName(String newName) {
        return new TensorInfo(newName, dtype, shape, fileOffset, byteLength, file);
    }

    // Records compare arrays by reference; tensors are values here.
    @Override
    public boolean equals(Object o) {
        return o instanceof TensorInfo t && name.equals(t.name) && dtype == t.dtype
                && Arrays.equals(shape, t.shape) && fileOffset == t.fileOffset
                && byteLength == t.byteLength && file.equals(t.file);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, dtype, Arrays.hashCode(shape), fileOffset, byteLength, file);
    }

    @Override
    public String toString() {
        return "TensorInfo[" + name + " " + dtype + " " + shapeString() + " @" + fileOffset + "+" + byteLength
                + " in " + file + "]";
    }
}
