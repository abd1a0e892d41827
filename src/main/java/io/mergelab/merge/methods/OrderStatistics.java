package io.mergelab.merge.methods;

/**
 * Order-statistic kernels on float[]: quickselect instead of a full sort (ND4J's sort-based top-k was
 * ~9x slower on 50M floats, see shared notes), and sorts of packed (value, index) longs for per-row ranks.
 */
final class OrderStatistics {
    private OrderStatistics() {
    }

    /** The value of ascending rank {@code k} (0-based) of {@code a}; {@code a} is reordered. */
    static float kth(float[] a, int k) {
        int lo = 0;
        int hi = a.length - 1;
        while (hi > lo) {
            // median of three keeps adversarial (sorted) inputs linear
            int mid = (lo + hi) >>> 1;
            if (a[mid] < a[lo]) {
                swap(a, mid, lo);
            }
            if (a[hi] < a[lo]) {
                swap(a, hi, lo);
            }
            if (a[hi] < a[mid]) {
                swap(a, hi, mid);
            }
            float pivot = a[mid];
            int i = lo;
            int j = hi;
            while (i <= j) {
                while (a[i] < pivot) {
                    i++;
                }
                while (a[j] > pivot) {
                    j--;
                }
                if (i <= j) {
                    swap(a, i, j);
                    i++;
                    j--;
                }
            }
            if (k <= j) {
                hi = j;
            } else if (k >= i) {
                lo = i;
            } else {
                return a[k];
            }
        }
        return a[k];
    }

    private static void swap(float[] a, int i, int j) {
        float t = a[i];
        a[i] = a[j];
        a[j] = t;
    }

    static float[] abs(float[] x) {
        float[] a = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            a[i] = Math.abs(x[i]);
        }
        return a;
    }

    /**
     * Keeps the elements whose stable ascending rank of |x| lies in [from, to); equal magnitudes rank by index.
     * Returns the mask as booleans.
     */
    static boolean[] keepRankWindow(float[] x, int from, int to) {
        return keepRankWindow(x, from, to, false);
    }

    /**
     * {@link #keepRankWindow(float[], int, int)}, but with {@code torchOrder} a window edge that falls inside a run
     * of equal non-zero magnitudes is decided as torch's sort decides it ({@link TorchSort}).
     */
    static boolean[] keepRankWindow(float[] x, int from, int to, boolean torchOrder) {
        int n = x.length;
        boolean[] keep = new boolean[n];
        if (from >= to) {
            return keep;
        }
        float[] a = abs(x);
        float lo = kth(a.clone(), from);
        float hi = kth(a, to - 1);
        int lessLo = 0;
        int lessHi = 0;
        int equalLo = 0;
        int equalHi = 0;
        for (float v : a) {
            // a is reordered but holds the same multiset
            if (v < lo) {
                lessLo++;
            }
            if (v < hi) {
                lessHi++;
            }
            equalLo += v == lo ? 1 : 0;
            equalHi += v == hi ? 1 : 0;
        }
        boolean splitLo = lo != 0f && lessLo < from;
        boolean splitHi = hi != 0f && lessHi + equalHi > to;
        if (torchOrder && (splitLo || splitHi)) {
            return TorchSort.positionsOfMagnitudes(x, false, from, to);
        }
        int seenLo = 0;
        int seenHi = 0;
        for (int i = 0; i < n; i++) {
            float v = Math.abs(x[i]);
            if (v == lo) {
                int rank = lessLo + seenLo++;
                keep[i] = rank >= from && rank < to;
                if (lo == hi) {
                    continue;
                }
            } else if (v == hi) {
                int rank = lessHi + seenHi++;
                keep[i] = rank < to;
            } else {
                keep[i] = v > lo && v < hi;
            }
        }
        return keep;
    }

    /**
     * The k-th largest |x| (k >= 1) by a two-pass radix select on the float bit patterns: no copy of the
     * tensor, two linear passes (|x| bit patterns order like the values for non-NaN floats).
     */
    static float kthLargestAbs(float[] x, int k) {
        return Float.intBitsToFloat(kthLargestAbsBits(x, k)[0]);
    }

    /** {bit pattern of the k-th largest |x|, number of elements strictly larger, number equal to it}. */
    static int[] kthLargestAbsBits(float[] x, int k) {
        int[] hist = new int[1 << 15];
        for (float v : x) {
            hist[(Float.floatToRawIntBits(v) & 0x7fffffff) >>> 16]++;
        }
        int remaining = k;
        int greater = 0;
        int hi = hist.length - 1;
        while (hi > 0 && hist[hi] < remaining) {
            remaining -= hist[hi];
            greater += hist[hi--];
        }
        int[] low = new int[1 << 16];
        for (float v : x) {
            int b = Float.floatToRawIntBits(v) & 0x7fffffff;
            if (b >>> 16 == hi) {
                low[b & 0xffff]++;
            }
        }
        int lo = low.length - 1;
        while (lo > 0 && low[lo] < remaining) {
            remaining -= low[lo];
            greater += low[lo--];
        }
        return new int[] {(hi << 16) | lo, greater, low[lo]};
    }

    /** Keeps the k largest |x|; at the boundary, equal magnitudes are taken lowest index first (torch CPU order). */
    static boolean[] topK(float[] x, int k) {
        // (kept for the boolean-mask callers; the magnitude sparsifier uses the fused path below)
        int n = x.length;
        boolean[] keep = new boolean[n];
        if (k <= 0) {
            return keep;
        }
        if (k >= n) {
            java.util.Arrays.fill(keep, true);
            return keep;
        }
        float thr = kthLargestAbs(x, k);
        int greater = 0;
        for (float v : x) {
            if (Math.abs(v) > thr) {
                greater++;
            }
        }
        int equalLeft = k - greater;
        for (int i = 0; i < n; i++) {
            float v = Math.abs(x[i]);
            if (v > thr) {
                keep[i] = true;
            } else if (v == thr && equalLeft > 0) {
                keep[i] = true;
                equalLeft--;
            }
        }
        return keep;
    }

    /** Zeroes, in place, all but the k largest |x| (lowest index first among equal magnitudes at the boundary). */
    static void keepTopKInPlace(float[] x, int k) {
        keepTopKInPlace(x, k, false);
    }

    /**
     * {@link #keepTopKInPlace(float[], int)}, but with {@code torchOrder}, when equal non-zero magnitudes straddle the
     * k-th place, those kept are the ones torch's sort puts first ({@link TorchSort}; the radix select stays the fast
     * path whenever the boundary is not tied).
     */
    static void keepTopKInPlace(float[] x, int k, boolean torchOrder) {
        if (k >= x.length) {
            return;
        }
        if (k <= 0) {
            java.util.Arrays.fill(x, 0f);
            return;
        }
        int[] sel = kthLargestAbsBits(x, k);
        int thr = sel[0];
        int equalLeft = k - sel[1];
        if (torchOrder && thr != 0 && sel[2] > equalLeft) {
            boolean[] keep = TorchSort.positionsOfMagnitudes(x, true, 0, k);
            for (int i = 0; i < x.length; i++) {
                if (!keep[i]) {
                    x[i] = 0f;
                }
            }
            return;
        }
        for (int i = 0; i < x.length; i++) {
            int b = Float.floatToRawIntBits(x[i]) & 0x7fffffff;
            if (b < thr || (b == thr && equalLeft-- <= 0)) {
                x[i] = 0f;
            }
        }
    }

    /** 1-based ascending rank of |x| within each row of length {@code rowLen} (ties by index). */
    static int[] rowRanks(float[] x, int rowLen) {
        int n = x.length;
        int[] rank = new int[n];
        long[] packed = new long[rowLen];
        for (int r = 0; r < n; r += rowLen) {
            for (int j = 0; j < rowLen; j++) {
                // |v| bit patterns of non-negative floats sort like the floats themselves
                packed[j] = ((long) Float.floatToRawIntBits(Math.abs(x[r + j])) << 32) | j;
            }
            java.util.Arrays.sort(packed);
            for (int j = 0; j < rowLen; j++) {
                rank[r + (int) packed[j]] = j + 1;
            }
        }
        return rank;
    }
}
