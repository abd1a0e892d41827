package io.mergelab.merge;

/**
 * How many models besides the base each tensor takes (mergekit's {@code InputContract}: {@code min_non_base} /
 * {@code max_non_base}, or {@code min_inputs} / {@code max_inputs} less the required base). The planner refuses
 * another count before any tensor is read, and a study before any step runs.
 */
public record ModelCount(int min, int max) {
    public static final ModelCount ANY = new ModelCount(0, Integer.MAX_VALUE);

    public ModelCount {
        if (min < 0 || max < min) {
            throw new IllegalArgumentException("model count [" + min + ", " + max + "]");
        }
    }

    public static ModelCount exactly(int n) {
        return new ModelCount(n, n);
    }

    public static ModelCount atLeast(int n) {
        return new ModelCount(n, Integer.MAX_VALUE);
    }

    public boolean allows(int n) {
        return n >= min && n <= max;
    }

    /** "exactly 1 model", "at least 2 models", "1 to 3 models". */
    public String describe() {
        String count = min == max ? "exactly " + min : max == Integer.MAX_VALUE ? "at least " + min : min + " to " + max;
        return count + (min == 1 && max == 1 ? " model" : " models");
    }
}
