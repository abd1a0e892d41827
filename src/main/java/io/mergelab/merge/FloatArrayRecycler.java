package io.mergelab.merge;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Reuses the large float arrays a merge reads tensors into. Most GPT-2 tensors are G1 "humongous" objects;
 * allocating one per input per tensor made garbage collection a third of a linear merge's time. The
 * recycler knows from the plan how many arrays of each length are still to be requested, and keeps a
 * released array only while that demand exceeds what it already holds, so it never retains more than the
 * rest of the merge will use.
 */
final class FloatArrayRecycler {
    private final Map<Integer, Integer> demand = new HashMap<>();
    private final Map<Integer, ArrayDeque<float[]>> free = new HashMap<>();

    /** Counts, for every length, how many arrays the plan will request. */
    FloatArrayRecycler(MergePlan plan) {
        for (PlannedTensor t : plan.tensors()) {
            if (t.numel() <= Integer.MAX_VALUE - 8) {
                demand.merge((int) t.numel(), t.inputs().size(), Integer::sum);
            }
        }
    }

    synchronized float[] acquire(int length) {
        demand.computeIfPresent(length, (k, v) -> v - 1);
        ArrayDeque<float[]> q = free.get(length);
        float[] a = q == null ? null : q.poll();
        return a != null ? a : new float[length];
    }

    /** One request of this length was served by a new array (e.g. widened from F16): less demand is left. */
    synchronized void allocatedElsewhere(long length) {
        if (length <= Integer.MAX_VALUE - 8) {
            demand.computeIfPresent((int) length, (k, v) -> v - 1);
        }
    }

    synchronized void release(float[] a) {
        int want = demand.getOrDefault(a.length, 0);
        ArrayDeque<float[]> q = free.computeIfAbsent(a.length, k -> new ArrayDeque<>());
        if (q.size() < want) {
            q.push(a);
        }
        if (q.isEmpty()) {
            free.remove(a.length);
        }
    }

    /** Arrays held now (for tests). */
    synchronized int held() {
        return free.values().stream().mapToInt(ArrayDeque::size).sum();
    }
}
