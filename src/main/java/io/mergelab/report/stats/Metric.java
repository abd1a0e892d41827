package io.mergelab.report.stats;

import io.mergelab.eval.ClassificationMetrics;

import java.util.ArrayList;
import java.util.List;

/**
 * A score of predictions against gold labels over a label space of {@code numClasses} classes (higher is better),
 * evaluated on whatever examples the arrays hold; the bootstrap calls it on resampled copies. Inputs reaching it
 * have already been checked (equal lengths, at least one example, values in {@code 0..numClasses-1}).
 */
@FunctionalInterface
public interface Metric {
    double score(int[] labels, int[] predictions, int numClasses);

    /** Fraction of examples predicted correctly. */
    Metric ACCURACY = (labels, predictions, numClasses) -> {
        int correct = 0;
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] == predictions[i]) {
                correct++;
            }
        }
        return (double) correct / labels.length;
    };

    /**
     * Macro F1 exactly as {@link ClassificationMetrics} computes it (scikit-learn, labels = range(numClasses),
     * zero_division = 0): the predictions become one-hot logits, whose argmax is the prediction itself.
     */
    Metric MACRO_F1 = (labels, predictions, numClasses) ->
            ClassificationMetrics.compute(classNames(numClasses), labels, oneHot(predictions, numClasses)).f1Macro();

    private static List<String> classNames(int numClasses) {
        List<String> names = new ArrayList<>(numClasses);
        for (int c = 0; c < numClasses; c++) {
            names.add(Integer.toString(c));
        }
        return names;
    }

    /** Rows share one array per class: ClassificationMetrics only reads them. */
    private static float[][] oneHot(int[] predictions, int numClasses) {
        float[][] rows = new float[numClasses][numClasses];
        for (int c = 0; c < numClasses; c++) {
            rows[c][c] = 1f;
        }
        float[][] logits = new float[predictions.length][];
        for (int i = 0; i < predictions.length; i++) {
            logits[i] = rows[predictions[i]];
        }
        return logits;
    }
}
