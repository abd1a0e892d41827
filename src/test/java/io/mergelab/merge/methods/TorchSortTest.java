package io.mergelab.merge.methods;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** TorchSort replays torch's CPU sort (std::sort), equal values included; MergeGoldenTest checks it on 3.2M elements. */
class TorchSortTest {
    /** 48 magnitudes on a grid of eleven values, as many equal as bfloat16 deltas have. */
    private static float[] grid() {
        float[] k = new float[48];
        for (int i = 0; i < k.length; i++) {
            k[i] = (i * 37 % 11) / 8f;
        }
        return k;
    }

    @Test
    void ordersEqualValuesAsTorchDoes() {
        // torch 2.15 (CPU): torch.argsort(w, descending=True) and torch.sort(w).indices of grid()
        int[] desc = {30, 19, 8, 41, 27, 5, 16, 38, 46, 24, 35, 13, 2, 10, 43, 21, 32, 40, 7, 18, 29, 37, 15, 4, 26, 34,
            45, 1, 23, 12, 31, 20, 42, 9, 28, 6, 17, 39, 47, 3, 14, 36, 25, 11, 33, 44, 22, 0};
        int[] asc = {11, 22, 33, 44, 0, 47, 25, 14, 36, 3, 39, 28, 17, 6, 9, 42, 31, 20, 1, 34, 45, 23, 12, 26, 4, 15, 37,
            18, 29, 7, 40, 43, 32, 21, 10, 35, 2, 46, 13, 24, 38, 16, 5, 27, 8, 41, 30, 19};
        assertArrayEquals(desc, TorchSort.order(grid(), true));
        assertArrayEquals(asc, TorchSort.order(grid(), false));
    }

    /**
     * topk's choice among equal values: torch.topk(w, k).indices of grid values ((i * 37) % 11) / 8 (torch 2.15, CPU),
     * through std::nth_element (k * 64 > n) and std::partial_sort (k * 64 <= n); the long ones as sum and sum of squares.
     */
    @Test
    void topKChoosesAmongEqualValuesAsTorchDoes() {
        assertArrayEquals(new int[] {2, 5, 8, 10, 13, 16, 18, 19, 21, 24, 27, 29, 30, 32, 35, 38, 40, 41, 43, 46},
                chosen(48, 20));
        assertArrayEquals(new int[] {8, 16, 19, 30, 41}, chosen(48, 5));
        assertArrayEquals(new int[] {8, 19, 30, 41}, chosen(300, 4));
        for (long[] c : new long[][] {{2000, 700, 717_983, 965_536_965}, {5000, 60, 19_950, 8_810_770}}) {
            int[] ix = chosen((int) c[0], (int) c[1]);
            long sum = 0;
            long squares = 0;
            for (int i : ix) {
                sum += i;
                squares += (long) i * i;
            }
            assertEquals(c[1], ix.length);
            assertEquals(c[2], sum, "n " + c[0] + " k " + c[1]);
            assertEquals(c[3], squares, "n " + c[0] + " k " + c[1]);
        }
    }

    private static int[] chosen(int n, int k) {
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            w[i] = (i * 37 % 11) / 8f;
        }
        boolean[] in = TorchSort.topK(w, k);
        return java.util.stream.IntStream.range(0, n).filter(i -> in[i]).toArray();
    }

    /** Following only the ranges that hold a boundary selects what the whole sort puts there. */
    @Test
    void positionsAgreeWithTheWholeSort() {
        SplittableRandom rng = new SplittableRandom(5);
        for (int n : new int[] {1, 2, 17, 1000, 50_000}) {
            float[] k = new float[n];
            for (int i = 0; i < n; i++) {
                k[i] = rng.nextInt(64) / 16f; // heavy ties
            }
            for (boolean descending : new boolean[] {true, false}) {
                int[] order = TorchSort.order(k, descending);
                for (int[] range : new int[][] {{0, n / 3}, {n / 5, n / 2}, {0, n}, {n / 2, n}}) {
                    boolean[] at = TorchSort.positions(k, descending, range[0], range[1]);
                    boolean[] want = new boolean[n];
                    for (int p = range[0]; p < range[1]; p++) {
                        want[order[p]] = true;
                    }
                    assertArrayEquals(want, at, "n " + n + " descending " + descending + " [" + range[0] + ", "
                            + range[1] + ")");
                }
                for (int p = 1; p < n; p++) {
                    float a = k[order[p - 1]];
                    float b = k[order[p]];
                    assertEquals(true, descending ? a >= b : a <= b, "sorted at " + p);
                }
            }
        }
    }
}
