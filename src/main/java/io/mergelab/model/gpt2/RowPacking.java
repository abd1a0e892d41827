package io.mergelab.model.gpt2;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * A right-padded batch laid out without its padding, for a classifier's forward pass. With causal attention
 * a real token never attends to the padding after it, so the padding's hidden states feed nothing but
 * themselves: the per-token work (LayerNorms, projections, MLP: nearly all of it) runs on the N real tokens
 * only, and attention, the one place rows meet, spreads them back to [B, T] and gathers the real rows again.
 * The last block runs its projection and MLP on the B pooled rows only. Real tokens see exactly the values
 * the padded layout gives them (the attention mask already hid the padding), so logits and gradients agree
 * with the padded forward up to the matrix products' row blocking.
 *
 * @param rows         B
 * @param length       T, the padded width
 * @param tokens       [N] the real tokens' ids, row by row
 * @param positions    [N] their positions
 * @param valid        [N] their flat indices in [B·T]; null when nothing is padded (then N = B·T)
 * @param spread       [B·T] for each padded position the packed row it copies (padding copies its row's
 *                     last real token: any real value works, attention never reads it); null when nothing is padded
 * @param pooledPadded [B] flat index in [B·T] of each row's pooled token
 * @param pooledPacked [B] packed row of each row's pooled token
 */
record RowPacking(long rows, long length, NDArray tokens, NDArray positions, NDArray valid, NDArray spread,
        NDArray pooledPadded, NDArray pooledPacked) {

    /**
     * The packing of ids [B][T] with mask (null: no padding) and pooled positions, or null when the batch is
     * not right-padded (a row whose mask is not ones then zeros, an empty row, or a pooled position in the
     * padding): such batches take the padded path.
     */
    static RowPacking of(NDManager m, long[] ids, long[] mask, int b, int t, long[] pooled) {
        int[] len = new int[b];
        int n = 0;
        for (int r = 0; r < b; r++) {
            int l = t;
            if (mask != null) {
                l = 0;
                while (l < t && mask[r * t + l] != 0) {
                    l++;
                }
                for (int j = l; j < t; j++) {
                    if (mask[r * t + j] != 0) {
                        return null;
                    }
                }
            }
            if (l == 0 || pooled[r] < 0 || pooled[r] >= l) {
                return null;
            }
            len[r] = l;
            n += l;
        }
        boolean padded = n < b * t;
        long[] tok = new long[n];
        long[] pos = new long[n];
        long[] valid = new long[n];
        long[] spread = new long[b * t];
        long[] pooledPadded = new long[b];
        long[] pooledPacked = new long[b];
        int k = 0;
        for (int r = 0; r < b; r++) {
            int first = k;
            for (int j = 0; j < len[r]; j++, k++) {
                tok[k] = ids[r * t + j];
                pos[k] = j;
                valid[k] = (long) r * t + j;
            }
            for (int j = 0; j < t; j++) {
                spread[r * t + j] = first + Math.min(j, len[r] - 1);
            }
            pooledPadded[r] = (long) r * t + pooled[r];
            pooledPacked[r] = first + pooled[r];
        }
        return new RowPacking(b, t, m.create(tok), m.create(pos), padded ? m.create(valid) : null,
                padded ? m.create(spread) : null, m.create(pooledPadded), m.create(pooledPacked));
    }

    /** Rows {@code index} of x [M, W]: [len(index), W]. */
    static NDArray rowsOf(NDArray x, NDArray index) {
        long w = x.getShape().get(1);
        long k = index.getShape().get(0);
        return x.gather(index.reshape(k, 1).broadcast(k, w), 0);
    }

    /** Packed rows [N, W] laid out padded, [B, T, W]. */
    NDArray toPadded(NDArray packed) {
        long w = packed.getShape().get(1);
        return (spread == null ? packed : rowsOf(packed, spread)).reshape(rows, length, w);
    }

    /** Rows {@code keep} (flat [B·T] indices, or null: every real token) of padded x [B, T, W]. */
    NDArray fromPadded(NDArray padded, NDArray keep) {
        long w = padded.getShape().get(2);
        NDArray flat = padded.reshape(rows * length, w);
        NDArray index = keep != null ? keep : valid;
        return index == null ? flat : rowsOf(flat, index);
    }
}
