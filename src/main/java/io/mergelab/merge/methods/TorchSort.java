package io.mergelab.merge.methods;

/**
 * Which elements torch's CPU {@code sort} / {@code argsort} (the default, {@code stable=False}) puts at given sorted
 * positions, equal magnitudes included. torch 2.15 sorts a float tensor with libstdc++'s {@code std::sort} on (value,
 * index) pairs compared by value (aten/src/ATen/native/cpu/SortingKernel.cpp), an introsort that leaves equal values in
 * an order of its own; mergekit's TIES and breadcrumbs keep the elements at positions {@code [0, k)} or
 * {@code [bot, bot + k)}. In bfloat16 thousands of magnitudes tie at the boundary, so the choice must be torch's: this
 * replays std::sort's moves (median-of-three pivot to the front, unguarded partition, heapsort below 2·log2(n) levels,
 * insertion sort of runs of at most 16). Partitions never exchange elements, so only the ranges holding a boundary are
 * followed: linear time on average, like quickselect.
 */
final class TorchSort {
    private static final int THRESHOLD = 16;

    private TorchSort() {
    }

    /**
     * The elements (by index) torch's sort puts at positions {@code [from, to)}.
     *
     * @param keys       finite values (NaN would sort differently in torch)
     * @param descending torch's {@code descending=}
     */
    static boolean[] positions(float[] keys, boolean descending, int from, int to) {
        return positions(keys, false, descending, from, to);
    }

    /** {@link #positions(float[], boolean, int, int)} of {@code |x|} (what mergekit sorts), without a copy of |x|. */
    static boolean[] positionsOfMagnitudes(float[] x, boolean descending, int from, int to) {
        return positions(x, true, descending, from, to);
    }

    private static boolean[] positions(float[] keys, boolean magnitudes, boolean descending, int from, int to) {
        int[] idx = sort(keys, magnitudes, descending, from, to, false);
        boolean[] in = new boolean[keys.length];
        for (int p = Math.max(0, from); p < Math.min(keys.length, to); p++) {
            in[idx[p]] = true;
        }
        return in;
    }

    /**
     * The elements torch's CPU {@code topk(keys, k)} (largest) returns, as a mask: torch 2.15's TopKImpl.h puts (value,
     * index) pairs through std::partial_sort when {@code k * 64 <= n}, else through std::nth_element at {@code k - 1}
     * (libstdc++'s introselect: std::sort's pivoting, heap select below 2·log2(n) levels, insertion sort of the last
     * at most three); the first k are returned. Which of equal values are among them is decided there.
     *
     * @param keys finite values
     */
    static boolean[] topK(float[] keys, int k) {
        int n = keys.length;
        boolean[] in = new boolean[n];
        if (k <= 0) {
            return in;
        }
        float[] key = new float[n];
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            key[i] = -keys[i]; // largest first: torch compares a > b, which is -a < -b
            idx[i] = i;
        }
        if ((long) k * 64 <= n) {
            heapSelect(key, idx, 0, k, n);
        } else {
            introselect(key, idx, 0, Math.min(k, n) - 1, n, 2 * (31 - Integer.numberOfLeadingZeros(n)));
        }
        for (int p = 0; p < Math.min(k, n); p++) {
            in[idx[p]] = true;
        }
        return in;
    }

    /** std::__introselect: partitions until the range holding {@code nth} has at most three elements. */
    private static void introselect(float[] k, int[] idx, int first, int nth, int last, int depth) {
        while (last - first > 3) {
            if (depth == 0) {
                heapSelect(k, idx, first, nth + 1, last);
                swap(k, idx, first, nth); // the nth element to its place
                return;
            }
            depth--;
            int cut = partitionPivot(k, idx, first, last);
            if (cut <= nth) {
                first = cut;
            } else {
                last = cut;
            }
        }
        insertionSort(k, idx, first, last);
    }

    /** std::__heap_select: a heap of the first {@code middle - first}, each later smaller element swapped in. */
    private static void heapSelect(float[] k, int[] idx, int first, int middle, int last) {
        makeHeap(k, idx, first, middle);
        for (int i = middle; i < last; i++) {
            if (k[i] < k[first]) {
                float v = k[i];
                int vi = idx[i];
                k[i] = k[first];
                idx[i] = idx[first];
                adjustHeap(k, idx, first, 0, middle - first, v, vi);
            }
        }
    }

    /** torch's whole {@code argsort} of {@code keys} (for tests: the partial replay must agree with it). */
    static int[] order(float[] keys, boolean descending) {
        return sort(keys, false, descending, 0, 0, true);
    }

    private static int[] sort(float[] keys, boolean magnitudes, boolean descending, int from, int to, boolean all) {
        int n = keys.length;
        float[] k = new float[n];
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            float v = magnitudes ? Math.abs(keys[i]) : keys[i];
            // descending compares a > b; on negated keys that is a < b (-0 and +0 stay equal)
            k[i] = descending ? -v : v;
            idx[i] = i;
        }
        if (n > 1) {
            introsort(k, idx, 0, n, 2 * (31 - Integer.numberOfLeadingZeros(n)), from, to, all);
        }
        return idx;
    }

    private static boolean holdsBoundary(int first, int last, int from, int to, boolean all) {
        return all ? last - first > 1 : first < from && from < last || first < to && to < last;
    }

    /** std::__introsort_loop, restricted to ranges holding a boundary; the final insertion sort is per range. */
    private static void introsort(float[] k, int[] idx, int first, int last, int depth, int from, int to,
            boolean all) {
        while (holdsBoundary(first, last, from, to, all)) {
            if (last - first <= THRESHOLD) {
                insertionSort(k, idx, first, last);
                return;
            }
            if (depth == 0) {
                heapSort(k, idx, first, last);
                return;
            }
            depth--;
            int cut = partitionPivot(k, idx, first, last);
            introsort(k, idx, cut, last, depth, from, to, all);
            last = cut;
        }
    }

    private static int partitionPivot(float[] k, int[] idx, int first, int last) {
        int mid = first + (last - first) / 2;
        moveMedianToFirst(k, idx, first, first + 1, mid, last - 1);
        int lo = first + 1;
        int hi = last;
        while (true) {
            while (k[lo] < k[first]) {
                lo++;
            }
            hi--;
            while (k[first] < k[hi]) {
                hi--;
            }
            if (lo >= hi) {
                return lo;
            }
            swap(k, idx, lo, hi);
            lo++;
        }
    }

    private static void moveMedianToFirst(float[] k, int[] idx, int result, int a, int b, int c) {
        if (k[a] < k[b]) {
            if (k[b] < k[c]) {
                swap(k, idx, result, b);
            } else if (k[a] < k[c]) {
                swap(k, idx, result, c);
            } else {
                swap(k, idx, result, a);
            }
        } else if (k[a] < k[c]) {
            swap(k, idx, result, a);
        } else if (k[b] < k[c]) {
            swap(k, idx, result, c);
        } else {
            swap(k, idx, result, b);
        }
    }

    /** After partitioning, std::sort's final insertion pass moves an element only within its range: a stable sort. */
    private static void insertionSort(float[] k, int[] idx, int first, int last) {
        for (int i = first + 1; i < last; i++) {
            float v = k[i];
            int vi = idx[i];
            int j = i;
            while (j > first && v < k[j - 1]) {
                k[j] = k[j - 1];
                idx[j] = idx[j - 1];
                j--;
            }
            k[j] = v;
            idx[j] = vi;
        }
    }

    /** std::__partial_sort(first, last, last): make_heap, then sort_heap. */
    private static void heapSort(float[] k, int[] idx, int first, int last) {
        makeHeap(k, idx, first, last);
        while (last - first > 1) {
            last--;
            float v = k[last];
            int vi = idx[last];
            k[last] = k[first];
            idx[last] = idx[first];
            adjustHeap(k, idx, first, 0, last - first, v, vi);
        }
    }

    private static void makeHeap(float[] k, int[] idx, int first, int last) {
        int len = last - first;
        if (len >= 2) {
            for (int parent = (len - 2) / 2; ; parent--) {
                adjustHeap(k, idx, first, parent, len, k[first + parent], idx[first + parent]);
                if (parent == 0) {
                    break;
                }
            }
        }
    }

    private static void adjustHeap(float[] k, int[] idx, int first, int hole, int len, float v, int vi) {
        int top = hole;
        int child = hole;
        while (child < (len - 1) / 2) {
            child = 2 * (child + 1);
            if (k[first + child] < k[first + child - 1]) {
                child--;
            }
            k[first + hole] = k[first + child];
            idx[first + hole] = idx[first + child];
            hole = child;
        }
        if ((len & 1) == 0 && child == (len - 2) / 2) {
            child = 2 * (child + 1);
            k[first + hole] = k[first + child - 1];
            idx[first + hole] = idx[first + child - 1];
            hole = child - 1;
        }
        int parent = (hole - 1) / 2;
        while (hole > top && k[first + parent] < v) {
            k[first + hole] = k[first + parent];
            idx[first + hole] = idx[first + parent];
            hole = parent;
            parent = (hole - 1) / 2;
        }
        k[first + hole] = v;
        idx[first + hole] = vi;
    }

    private static void swap(float[] k, int[] idx, int a, int b) {
        float t = k[a];
        k[a] = k[b];
        k[b] = t;
        int u = idx[a];
        idx[a] = idx[b];
        idx[b] = u;
    }
}
