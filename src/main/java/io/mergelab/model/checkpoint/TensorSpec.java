package io.mergelab.model.checkpoint;

import java.util.Arrays;
import java.util.Objects;

/** Name, shape and on-disk dtype of a tensor that a streaming writer will receive later. */
public record TensorSpec(String name, long[] shape, DType dtype) {

    public TensorSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype");
        shape = shape.clone();
        if (dtype != DType.F32 && dtype != DType.F16 && dtype != DType.BF16) {
            throw new IllegalArgumentException("tensor '" + name + "': can only write F32, F16 or BF16, not " + dtype);
        }
        long n = numelOrThrow(name, shape);
        if (n > Shapes.MAX_ARRAY) {
            throw new IllegalArgumentException("tensor '" + name + "': " + n + " elements exceed a Java array");
        }
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    public long numel() {
        return Shapes.numel(shape);
    }

    public long byteLength() {
        return numel() * dtype.byteSize();
    }

    public String shapeString() {
        return Arrays.toString(shape);
    }

    public TensorSpec withName(String newName) {
        return new TensorSpec(newName, shape, dtype);
    }

    private static long numelOrThrow(String name, long[] shape) {
        try {
            return Shapes.numel(shape);
        } catch (ArithmeticException | IllegalArgumentException e) {
            throw new IllegalArgumentException("tensor '" + name + "': bad shape " + Arrays.toString(shape));
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorSpec t && name.equals(t.name) && Arrays.equals(shape, t.shape) && dtype == t.dtype;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, Arrays.hashCode(shape), dtype);
    }

    @Override
    public String toString() {
        return "TensorSpec[" + name + " " + dtype + " " + shapeString() + "]";
    }
}
