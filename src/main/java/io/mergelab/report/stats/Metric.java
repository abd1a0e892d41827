package io.mergelab.report.stats;

import io.mergelab.eval.ClassificationMetrics;


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
     * zero_division = 0), from the confusion counts through {@link ClassificationMetrics#macroF1}: the same
     * per-class formula and summation order, without the logits' exp/log per example.
     */
    Metric MACRO_F1 = (labels, predictions, numClasses) -> {
        int[][] confusion = new int[numClasses][numClasses];
        for (int i = 0; i < labels.length; i++) {
            confusion[labels[i]][predictions[i]]++;
        }
        return ClassificationMetrics.macroF1(confusion);
    };
}
