package io.mergelab.eval;

import java.util.Arrays;
import java.util.List;

/** Rows of token ids right-padded to the longest row of the batch, with the attention mask. */
public record PaddedBatch(long[][] ids, long[][] mask, long realTokens) {

    /** Pads {@code rows[idx[0..]]}; an empty row still gets one (padding) position. */
    public static PaddedBatch of(List<long[]> rows, int[] idx, long padId) {
        int width = 1;
        for (int i : idx) {
            width = Math.max(width, rows.get(i).length);
        }
        long[][] ids = new long[idx.length][width];
        long[][] mask = new long[idx.length][width];
        long real = 0;
        for (int r = 0; r < idx.length; r++) {
            long[] row = rows.get(idx[r]);
            Arrays.fill(ids[r], padId);
            System.arraycopy(row, 0, ids[r], 0, row.length);
            Arrays.fill(mask[r], 0, row.length, 1L);
            real += row.length;
        }
        return new PaddedBatch(ids, mask, real);
    }

    public int width() {
        return ids.length == 0 ? 0 : ids[0].length;
    }
}
