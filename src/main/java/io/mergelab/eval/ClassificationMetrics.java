package io.mergelab.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Locale;

/**
 * Classification metrics over a fixed label space, defined as scikit-learn defines them with
 * {@code labels=range(num_labels)} and {@code zero_division=0}: accuracy, per-class precision/recall/F1,
 * macro F1 (unweighted mean over all classes), weighted F1 (by support), confusion matrix
 * (rows = true, columns = predicted), mean cross-entropy of the softmax, and expected calibration error
 * with 15 equal-width confidence bins {@code (i/15, (i+1)/15]}.
 */
public record ClassificationMetrics(
        List<String> labels,
        int count,
        double accuracy,
        double f1Macro,
        double f1Weighted,
        double loss,
        double ece,
        double[] precision,
        double[] recall,
        double[] f1,
        int[] support,
        int[][] confusion) {

    public static final int ECE_BINS = 15;

    /** Metrics for {@code logits[i]} (one row per example) against gold {@code labels[i]}. */
    public static ClassificationMetrics compute(List<String> labelNames, int[] gold, float[][] logits) {
        int n = gold.length;
        int k = labelNames.size();
        if (logits.length != n) {
            throw new IllegalArgumentException("metrics: " + logits.length + " prediction rows for " + n + " labels");
        }
        if (n == 0) {
            throw new IllegalArgumentException("metrics: no examples to evaluate");
        }
        int[][] confusion = new int[k][k];
        double lossSum = 0;
        double[] binConf = new double[ECE_BINS];
        double[] binCorrect = new double[ECE_BINS];
        int[] binCount = new int[ECE_BINS];
        int correct = 0;
        for (int i = 0; i < n; i++) {
            float[] row = logits[i];
            if (row.length != k) {
                throw new IllegalArgumentException("metrics: row " + i + " has " + row.length + " logits, expected " + k);
            }
            int y = gold[i];
            if (y < 0 || y >= k) {
                throw new IllegalArgumentException("metrics: label " + y + " of example " + i + " is outside 0.." + (k - 1));
            }
            int pred = 0;
            double max = row[0];
            for (int j = 1; j < k; j++) {
                if (row[j] > max) {
                    max = row[j];
                    pred = j;
                }
            }
            double sum = 0;
            for (int j = 0; j < k; j++) {
                sum += Math.exp(row[j] - max);
            }
            double logSum = Math.log(sum) + max;
            lossSum += logSum - row[y];
            double confidence = Math.exp(max - logSum);
            int bin = Math.min(ECE_BINS - 1, Math.max(0, (int) Math.ceil(confidence * ECE_BINS) - 1));
            binCount[bin]++;
            binConf[bin] += confidence;
            confusion[y][pred]++;
            if (pred == y) {
                correct++;
                binCorrect[bin]++;
            }
        }
        double ece = 0;
        for (int b = 0; b < ECE_BINS; b++) {
            if (binCount[b] > 0) {
                ece += Math.abs(binCorrect[b] - binConf[b]) / n; // |B|/n · |acc(B) − conf(B)|
            }
        }
        double[] precision = new double[k];
        double[] recall = new double[k];
        double[] f1 = new double[k];
        int[] support = new int[k];
        double macro = 0;
        double weighted = 0;
        for (int c = 0; c < k; c++) {
            int tp = confusion[c][c];
            int predicted = 0;
            for (int r = 0; r < k; r++) {
                predicted += confusion[r][c];
                support[c] += confusion[c][r];
            }
            int fp = predicted - tp;
            int fn = support[c] - tp;
            precision[c] = predicted == 0 ? 0 : (double) tp / predicted;
            recall[c] = support[c] == 0 ? 0 : (double) tp / support[c];
            f1[c] = f1(tp, fp, fn);
            macro += f1[c];
            weighted += f1[c] * support[c];
        }
        return new ClassificationMetrics(List.copyOf(labelNames), n, (double) correct / n, macro / k, weighted / n,
                lossSum / n, ece, precision, recall, f1, support, confusion);
    }

    /** One class's F1 from its counts; 0 when it has no true positive (scikit-learn's zero_division=0). */
    private static double f1(int tp, int fp, int fn) {
        return tp == 0 ? 0 : 2.0 * tp / (2.0 * tp + fp + fn);
    }

    /**
     * Macro F1 of a confusion matrix ({@code confusion[gold][predicted]}), as {@link #compute} gives it: the mean
     * of every class's F1, classes without support included. For the bootstrap, which scores thousands of
     * resamples: counts only, no logits.
     */
    public static double macroF1(int[][] confusion) {
        int k = confusion.length;
        double macro = 0;
        for (int c = 0; c < k; c++) {
            int tp = confusion[c][c];
            int predicted = 0;
            int support = 0;
            for (int r = 0; r < k; r++) {
                predicted += confusion[r][c];
                support += confusion[c][r];
            }
            macro += f1(tp, predicted - tp, support - tp);
        }
        return macro / k;
    }

    /** A scalar metric by name: accuracy, f1 / f1_macro, f1_weighted, loss, ece (an "eval_" prefix is ignored). */
    public double metric(String name) {
        String m = name.toLowerCase(Locale.ROOT);
        if (m.startsWith("eval_")) {
            m = m.substring(5);
        }
        return switch (m) {
            case "accuracy" -> accuracy;
            case "f1", "f1_macro", "macro_f1" -> f1Macro;
            case "f1_weighted", "weighted_f1" -> f1Weighted;
            case "loss" -> loss;
            case "ece" -> ece;
            default -> throw new IllegalArgumentException("unknown metric '" + name
                    + "' (expected accuracy, f1_macro, f1_weighted, loss or ece)");
        };
    }

    /** The scalar metrics by name, for histories. */
    public java.util.Map<String, Double> scalars() {
        java.util.Map<String, Double> m = new java.util.LinkedHashMap<>();
        m.put("loss", loss);
        m.put("accuracy", accuracy);
        m.put("f1_macro", f1Macro);
        m.put("f1_weighted", f1Weighted);
        m.put("ece", ece);
        return m;
    }

    /** Fraction of the most frequent gold class: the accuracy of always guessing it. */
    public double majorityRate() {
        int best = 0;
        for (int s : support) {
            best = Math.max(best, s);
        }
        return (double) best / count;
    }

    public ObjectNode toJson(ObjectMapper mapper) {
        ObjectNode root = mapper.createObjectNode();
        root.put("num_examples", count);
        root.put("accuracy", accuracy);
        root.put("f1_macro", f1Macro);
        root.put("f1_weighted", f1Weighted);
        root.put("loss", loss);
        root.put("ece", ece);
        root.put("majority_rate", majorityRate());
        ArrayNode names = root.putArray("labels");
        labels.forEach(names::add);
        ObjectNode perClass = root.putObject("per_class");
        for (int c = 0; c < labels.size(); c++) {
            ObjectNode o = perClass.putObject(labels.get(c));
            o.put("precision", precision[c]);
            o.put("recall", recall[c]);
            o.put("f1", f1[c]);
            o.put("support", support[c]);
        }
        ArrayNode cm = root.putArray("confusion_matrix");
        for (int[] row : confusion) {
            ArrayNode r = cm.addArray();
            for (int v : row) {
                r.add(v);
            }
        }
        return root;
    }
}
