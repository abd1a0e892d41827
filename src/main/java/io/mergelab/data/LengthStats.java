package io.mergelab.data;

import java.util.Arrays;

/**
 * Length statistics of texts (in words or tokens), as the seed study's table: mean, median and the sample
 * standard deviation (ddof = 1, as pandas' {@code std()}), plus min and max. With no texts (an empty split)
 * mean, median and std are NaN.
 */
public record LengthStats(int count, double mean, double median, double std, int min, int max) {

    public static LengthStats of(int[] lengths) {
        int n = lengths.length;
        if (n == 0) {
            return new LengthStats(0, Double.NaN, Double.NaN, Double.NaN, 0, 0);
        }
        int[] sorted = lengths.clone();
        Arrays.sort(sorted);
        double sum = 0;
        for (int l : sorted) {
            sum += l;
        }
        double mean = sum / n;
        double ss = 0;
        for (int l : sorted) {
            ss += (l - mean) * (l - mean);
        }
        double std = n > 1 ? Math.sqrt(ss / (n - 1)) : 0.0;
        double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
        return new LengthStats(n, mean, median, std, sorted[0], sorted[n - 1]);
    }

    /** Whitespace-separated words, as Python's {@code len(text.split())}. */
    public static int words(String text) {
        int count = 0;
        boolean inWord = false;
        for (int i = 0; i < text.length(); i++) {
            boolean space = Character.isWhitespace(text.charAt(i)) || Character.isSpaceChar(text.charAt(i));
            if (!space && !inWord) {
                count++;
            }
            inWord = !space;
        }
        return count;
    }
}
