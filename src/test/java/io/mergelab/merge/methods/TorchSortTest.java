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
