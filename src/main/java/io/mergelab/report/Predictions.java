package io.mergelab.report;

import io.mergelab.eval.LogitsFile;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * One result's per-example gold labels and predictions (the argmax of the logits its step wrote in
 * {@code logits.json}, read by {@link LogitsFile}): what the bootstrap intervals and paired tests resample.
 */
record Predictions(int[] gold, int[] predicted) {
    static final String FILE = LogitsFile.FILE;

    static Predictions read(Path stepDir) throws IOException {
        LogitsFile.Logits l = LogitsFile.read(stepDir);
        int[] predicted = new int[l.gold().length];
        for (int i = 0; i < predicted.length; i++) {
            float[] row = l.logits()[i];
            int best = 0;
            for (int j = 1; j < row.length; j++) {
                if (row[j] > row[best]) { // first maximum, as argmax
                    best = j;
                }
            }
            predicted[i] = best;
        }
        return new Predictions(l.gold(), predicted);
    }

    /** The predictions of result {@code r} of {@code results}, or null when its step wrote none. */
    static Predictions of(StudyResults results, EvalRecord r) {
        Path dir = results.stepDir(r);
        if (!java.nio.file.Files.isRegularFile(dir.resolve(FILE))) {
            return null;
        }
        try {
            return read(dir);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Same examples in the same order: a paired test needs them. */
    boolean sameExamples(Predictions other) {
        return Arrays.equals(gold, other.gold);
    }
}
