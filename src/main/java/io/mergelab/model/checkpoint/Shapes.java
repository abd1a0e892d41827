package io.mergelab.model.checkpoint;

import java.util.Arrays;

/** Shape arithmetic shared by readers and writers. */
final class Shapes {
    private Shapes() {
    }

    /** Product of dims; throws ArithmeticException on overflow so callers can report it. */
    static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** Largest float[] we try to allocate (JVMs reserve a few header words). */
    static final int MAX_ARRAY = Integer.MAX_VALUE - 8;
}
