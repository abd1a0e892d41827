package io.mergelab.eval;

import io.mergelab.data.Example;
import io.mergelab.model.gpt2.Gpt2Tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Examples tokenised once and truncated to {@code maxLength} tokens (right truncation, as transformers). */
public record TokenizedExamples(List<long[]> rows, int[] labels) {

    public static TokenizedExamples of(List<Example> examples, Gpt2Tokenizer tokenizer, int maxLength, int numLabels) {
        List<long[]> rows = new ArrayList<>(examples.size());
        int[] labels = new int[examples.size()];
        for (int i = 0; i < examples.size(); i++) {
            Example e = examples.get(i);
            if (e.label() < 0 || e.label() >= numLabels) {
                throw new IllegalArgumentException("example " + i + " has label " + e.label()
                        + ", outside the model's " + numLabels + " labels");
            }
            long[] ids = tokenizer.encode(e.text());
            rows.add(ids.length > maxLength ? Arrays.copyOf(ids, maxLength) : ids);
            labels[i] = e.label();
        }
        return new TokenizedExamples(List.copyOf(rows), labels);
    }

    public int size() {
        return labels.length;
    }

    public long tokenCount() {
        long n = 0;
        for (long[] r : rows) {
            n += r.length;
        }
        return n;
    }
}
