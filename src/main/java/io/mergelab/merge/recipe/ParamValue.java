package io.mergelab.merge.recipe;

import java.util.Arrays;
import java.util.List;

/**
 * A mergekit parameter setting: a scalar, a gradient (list of numbers interpolated over layers), or a
 * list of {@code {filter, value}} conditionals (first substring match wins).
 */
public sealed interface ParamValue {

    /** The value for {@code tensorName} at layer position {@code t} in [0, 1], or null when no conditional matches. */
    Double evaluate(String tensorName, double t);

    record Scalar(double value) implements ParamValue {
        @Override
        public Double evaluate(String tensorName, double t) {
            return value;
        }
    }

    /** mergekit's interpolation: scaled = t(n-1), truncate, linear blend of the two neighbours, in double. */
    record Gradient(double[] values) implements ParamValue {
        public Gradient {
            values = values.clone();
            if (values.length == 0) {
                throw new IllegalArgumentException("empty gradient");
            }
        }

        @Override
        public Double evaluate(String tensorName, double t) {
            int n = values.length;
            double scaled = t * (n - 1);
            int i0 = (int) scaled;
            int i1 = Math.min(n - 1, i0 + 1);
            double frac = scaled - i0;
            return (1 - frac) * values[i0] + frac * values[i1];
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Gradient g && Arrays.equals(values, g.values);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(values);
        }

        @Override
        public String toString() {
            return Arrays.toString(values);
        }
    }

    /** filter null or "*" matches everything; otherwise a case-sensitive substring test, as in mergekit. */
    record Conditional(String filter, ParamValue value) {
        boolean matches(String tensorName) {
            return filter == null || filter.equals("*") || (!tensorName.isEmpty() && tensorName.contains(filter));
        }
    }

    record Conditionals(List<Conditional> conditions) implements ParamValue {
        public Conditionals {
            conditions = List.copyOf(conditions);
        }

        @Override
        public Double evaluate(String tensorName, double t) {
            for (Conditional c : conditions) {
                if (c.matches(tensorName)) {
                    return c.value().evaluate(tensorName, t);
                }
            }
            return null;
        }
    }
}
