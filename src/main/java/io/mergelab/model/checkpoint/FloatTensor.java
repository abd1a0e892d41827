package io.mergelab.model.checkpoint;

import java.util.Arrays;
import java.util.Objects;

/**
 * A named float32 tensor in row-major order. {@code data} is not copied (tensors are big); callers
 * must not mutate it while a writer holds it.
 */
public record FloatTensor(String name, long[] shape, float[] data) {

    public FloatTensor {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(data, "data");
        shape = shape.clone();
        long n;
        try {
            n = Shapes.numel(shape);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("tensor '" + name + "': shape " + Arrays.toString(shape) + " overflows");
        }
        if (n != data.length) {
            throw new IllegalArgumentException("tensor '" + name + "': shape " + Arrays.toString(shape)
                    + " has " + n + " elements but data has " + data.length);
        }
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    public long numel() {
        return data.length;
    }

    public String shapeString() {
        return Arrays.toString(shape);
    }

    /** Same data (not copied) under another name. */
    public FloatTensor withName(String newName) {
        return new FloatTensor(newName, shape, data);
    }

    public TensorSpec spec(DType dtype) {
        return new TensorSpec(name, shape, dtype);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FloatTensor t && name.equals(t.name) && Arrays.equals(shape, t.shape)
                && Arrays.equals(data, t.data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, Arrays.hashCode(shape), Arrays.hashCode(data));
    }

    @Override
    public String toString() {
        return "FloatTensor[" + name + " " + shapeString() + "]";
    }
}
