package io.mergelab.data;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Training variants for merge studies: disjoint slices, bootstraps, seed-only. */
class VariantsTest {

    /** 503 examples: 301 of class 0, 150 of class 1, 52 of class 2. */
    static List<Example> train() {
        List<Example> out = new ArrayList<>();
        for (int i = 0; i < 503; i++) {
            out.add(new Example("t" + i, i < 301 ? 0 : i < 451 ? 1 : 2));
        }
        return out;
    }

    @Test
    void disjointSlicesAreDisjointCoverTrainAndKeepClassBalance() {
        List<Example> train = train();
        List<List<Example>> slices = Datasets.disjointSlices(train, 5, 11);
        assertEquals(5, slices.size());
        Set<Example> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        int total = 0;
        for (List<Example> s : slices) {
            for (Example e : s) {
                assertTrue(seen.add(e), "in two slices: " + e);
            }
            total += s.size();
            assertTrue(s.size() == 100 || s.size() == 101, "size " + s.size());
            int[] counts = Datasets.classCounts(s, 3);
            assertTrue(Math.abs(counts[0] - 301 / 5.0) <= 1 && Math.abs(counts[1] - 30) <= 1 && Math.abs(counts[2] - 52 / 5.0) <= 1,
                    java.util.Arrays.toString(counts));
        }
        assertEquals(train.size(), total);
        assertEquals(new HashSet<>(train), new HashSet<>(seen));
        assertEquals(slices, Datasets.disjointSlices(train, 5, 11));
        assertNotEquals(slices, Datasets.disjointSlices(train, 5, 12));
    }

    @Test
    void disjointSlicesRejectImpossibleK() {
        List<Example> two = List.of(new Example("a", 0), new Example("b", 1));
        assertThrows(IllegalArgumentException.class, () -> Datasets.disjointSlices(two, 0, 1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Datasets.disjointSlices(two, 3, 1));
        assertTrue(e.getMessage().contains("cannot cut 2 training examples into 3 non-empty slices"), e.getMessage());
    }

    @Test
    void bootstrapKeepsClassCountsAndIsSeeded() {
        List<Example> train = train();
        List<Example> b = Datasets.bootstrap(train, 4);
        assertEquals(train.size(), b.size());
        assertArrayEquals(new int[] {301, 150, 52}, Datasets.classCounts(b, 3));
        assertTrue(new HashSet<>(b).size() < train.size(), "drawn with replacement");
        assertTrue(new HashSet<>(train).containsAll(b));
        assertEquals(b, Datasets.bootstrap(train, 4));
        assertNotEquals(b, Datasets.bootstrap(train, 5));
    }

    @Test
    void variantModes() {
        List<Example> train = train();
        assertEquals(Datasets.disjointSlices(train, 3, 9), Datasets.variants(train, Datasets.VariantMode.DISJOINT, 3, 9));
        List<List<Example>> boots = Datasets.variants(train, Datasets.VariantMode.BOOTSTRAP, 3, 9);
        assertEquals(3, new HashSet<>(boots).size());
        List<List<Example>> same = Datasets.variants(train, Datasets.VariantMode.SEED_ONLY, 3, 9);
        assertEquals(train, same.get(2));
        assertSame(same.get(0), same.get(1));
    }
}
