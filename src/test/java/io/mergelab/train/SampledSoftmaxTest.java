package io.mergelab.train;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which ids a batch is trained against. The loss itself: CausalLmGoldenTest (against torch). */
class SampledSoftmaxTest {
    private static final long[][] ROWS = {{5, 17, 17, 900, 3}, {42, 50256, 8, 17, 1000}};

    @Test
    void candidatesAreEveryTargetPlusTheDrawsSortedAndDistinct() {
        long[] c = new SampledSoftmax(64).candidates(ROWS, 50257, 1234L);
        for (long target : new long[] {17, 900, 3, 50256, 8, 1000}) {
            assertTrue(Arrays.binarySearch(c, target) >= 0, "target " + target + " missing");
        }
        assertTrue(Arrays.binarySearch(c, 5) < 0 && Arrays.binarySearch(c, 42) < 0,
                "a row's first token is an input only, not a target (and this seed draws neither)");
        assertTrue(c.length > 6 + 50 && c.length <= 6 + 64, "about 64 draws on top of 6 targets: " + c.length);
        for (int i = 1; i < c.length; i++) {
            assertTrue(c[i - 1] < c[i], "sorted and distinct at " + i);
        }
        assertTrue(c[0] >= 0 && c[c.length - 1] < 50257);
    }

    @Test
    void theSameSeedDrawsTheSameIdsSoAResumeTrainsAlike() {
        SampledSoftmax s = new SampledSoftmax(256);
        assertArrayEquals(s.candidates(ROWS, 50257, 99L), s.candidates(ROWS, 50257, 99L));
        assertFalse(Arrays.equals(s.candidates(ROWS, 50257, 99L), s.candidates(ROWS, 50257, 100L)));
    }

    @Test
    void aDrawAsLargeAsTheVocabularyCoversMostOfIt() {
        long[] c = new SampledSoftmax(4 * 1000).candidates(new long[][] {{1, 2}}, 1000, 7L);
        assertTrue(c.length > 970, "4 000 draws over 1 000 ids leave ~2 % unseen: " + c.length);
    }

    @Test
    void refusesNonPositiveCounts() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new SampledSoftmax(0));
        assertEquals("sampled_softmax: expected a positive number of negatives, got 0", e.getMessage());
    }
}
