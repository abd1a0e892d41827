package io.mergelab.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import io.mergelab.model.gpt2.Gpt2LmHeadModel;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Next-token cross-entropy over a batch's candidate set instead of the whole vocabulary: every token that is a
 * target somewhere in the batch, plus {@code negatives} ids drawn uniformly (seeded per step, so a resume draws
 * the same). With a 128-wide model the 50 257-way output layer is ~90 % of a step; 4 096 negatives make a
 * pre-training step several times faster, so the same CPU hours see several times more text. The loss is
 * biased (no log-Q correction: rare tokens look likelier), which matters for the output layer's calibration,
 * not for what the network learns to represent; held-out perplexity is always measured over the full vocabulary.
 *
 * @param negatives uniformly drawn ids added to the batch's targets (duplicates of targets count once)
 */
public record SampledSoftmax(int negatives) {

    public SampledSoftmax {
        if (negatives < 1) {
            throw new IllegalArgumentException("sampled_softmax: expected a positive number of negatives, got "
                    + negatives);
        }
    }

    /** The sorted, distinct candidate ids for {@code rows}: their targets (positions 1..T-1) and the draws. */
    long[] candidates(long[][] rows, int vocab, long seed) {
        boolean[] in = new boolean[vocab];
        for (long[] row : rows) {
            for (int i = 1; i < row.length; i++) {
                in[Math.toIntExact(row[i])] = true;
            }
        }
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < negatives; i++) {
            in[random.nextInt(vocab)] = true;
        }
        int n = 0;
        for (boolean b : in) {
            n += b ? 1 : 0;
        }
        long[] out = new long[n];
        for (int id = 0, k = 0; id < vocab; id++) {
            if (in[id]) {
                out[k++] = id;
            }
        }
        return out;
    }

    /** Mean cross-entropy of every next token of {@code rows} against the candidates drawn with {@code seed}. */
    NDArray meanLoss(Gpt2LmHeadModel model, ParameterStore ps, NDManager manager, long[][] rows, long seed,
            boolean training) {
        int vocab = model.transformer().architecture().vocabSize();
        return meanLoss(model, ps, manager, rows, candidates(rows, vocab, seed), training);
    }

    /** Mean cross-entropy of every next token of {@code rows} over the given sorted {@code candidates}. */
    static NDArray meanLoss(Gpt2LmHeadModel model, ParameterStore ps, NDManager manager, long[][] rows,
            long[] candidates, boolean training) {
        int t = rows[0].length;
        long[][] targets = new long[rows.length][t - 1];
        for (int b = 0; b < rows.length; b++) {
            for (int i = 1; i < t; i++) {
                int c = Arrays.binarySearch(candidates, rows[b][i]);
                if (c < 0) {
                    throw new IllegalArgumentException("target " + rows[b][i] + " is not among the candidates");
                }
                targets[b][i - 1] = c;
            }
        }
        long[][] inputs = new long[rows.length][];
        for (int b = 0; b < rows.length; b++) {
            inputs[b] = Arrays.copyOf(rows[b], t - 1); // the last token is only a target (see meanLoss)
        }
        NDArray logits = model.candidateLogits(ps, manager.create(inputs), manager.create(candidates), training);
        return logits.logSoftmax(2).gather(manager.create(targets).expandDims(2), 2).mean().neg();
    }
}
