package io.mergelab.report.stats;

/** Checks shared by the per-example statistics, so that a bad array fails once, up front, with one clear line. */
final class Inputs {
    private Inputs() {
    }

    /** Labels and each prediction array: same non-zero length, every value in {@code 0..numClasses-1}. */
    static void checkExamples(int[] labels, int numClasses, int[]... predictions) {
        if (numClasses < 1) {
            throw new IllegalArgumentException("stats: numClasses must be at least 1, got " + numClasses);
        }
        if (labels.length == 0) {
            throw new IllegalArgumentException("stats: no examples (labels is empty)");
        }
        checkRange("labels", labels, numClasses);
        for (int m = 0; m < predictions.length; m++) {
            String name = predictions.length == 1 ? "predictions" : "predictions of model " + (char) ('A' + m);
            if (predictions[m].length != labels.length) {
                throw new IllegalArgumentException("stats: " + name + " has " + predictions[m].length
                        + " entries, expected " + labels.length + " (one per label)");
            }
            checkRange(name, predictions[m], numClasses);
        }
    }

    /** Two-sided significance or confidence level strictly between 0 and 1. */
    static void checkLevel(String what, double level) {
        if (!(level > 0 && level < 1)) {
            throw new IllegalArgumentException("stats: " + what + " must be strictly between 0 and 1, got " + level);
        }
    }

    private static void checkRange(String name, int[] values, int numClasses) {
        for (int i = 0; i < values.length; i++) {
            if (values[i] < 0 || values[i] >= numClasses) {
                throw new IllegalArgumentException("stats: " + name + "[" + i + "] = " + values[i]
                        + " is outside 0.." + (numClasses - 1));
            }
        }
    }
}
