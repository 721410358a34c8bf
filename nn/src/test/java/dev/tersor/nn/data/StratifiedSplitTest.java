package dev.tersor.nn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class StratifiedSplitTest {
    /** 1000 samples: class c has 100·(c + 1) of them for c < 4, interleaved. */
    private static int[] labels() {
        int[] l = new int[1000];
        int i = 0;
        int[] left = {100, 200, 300, 400};
        while (i < 1000) for (int c = 0; c < 4; c++) if (left[c]-- > 0) l[i++] = c;
        return l;
    }

    @Test
    void eachClassGivesItsShareAndThePartsCoverTheDataOnce() {
        int[] y = labels();
        StratifiedSplit s = StratifiedSplit.of(y, 0.1, 42);
        int[] perClass = new int[4];
        for (int i : s.validation()) perClass[y[i]]++;
        assertArrayEquals(new int[] {10, 20, 30, 40}, perClass);
        int[] all = new int[1000];
        for (int i : s.train()) all[i]++;
        for (int i : s.validation()) all[i]++;
        for (int i = 0; i < 1000; i++) assertEquals(1, all[i], "sample " + i);
        assertTrue(isAscending(s.train()) && isAscending(s.validation()), "each part keeps the data set's order");
    }

    @Test
    void theSameSeedGivesTheSameSplitAndAnotherSeedAnother() {
        int[] y = labels();
        assertEquals(StratifiedSplit.of(y, 0.2, 7), StratifiedSplit.of(y, 0.2, 7));
        assertNotEquals(StratifiedSplit.of(y, 0.2, 7), StratifiedSplit.of(y, 0.2, 8));
    }

    @Test
    void smallClassesKeepOneForTrainingAndGiveOneForValidation() {
        int[] y = {0, 1, 1, 2, 2, 2};
        StratifiedSplit s = StratifiedSplit.of(y, 0.01, 1);
        int[] held = new int[3];
        for (int i : s.validation()) held[y[i]]++;
        assertArrayEquals(new int[] {0, 1, 1}, held, "a single sample stays in training; classes of two or more give one");
        StratifiedSplit most = StratifiedSplit.of(y, 0.99, 1);
        assertEquals(3, most.train().length, "every class keeps at least one training sample");
    }

    @Test
    void badFractionsAndSplitsThatHoldOutNothingAreRefused() {
        for (double f : new double[] {0, 1, -0.1, Double.NaN}) {
            var e = assertThrows(IllegalArgumentException.class, () -> StratifiedSplit.of(new int[] {0, 0, 1, 1}, f, 1));
            assertTrue(e.getMessage().contains("validation fraction must be in (0, 1)"), e.getMessage());
        }
        var e = assertThrows(IllegalArgumentException.class, () -> StratifiedSplit.of(new int[] {0, 1, 2}, 0.5, 1));
        assertTrue(e.getMessage().contains("holds out no sample of 3"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> StratifiedSplit.of(new int[] {0, -1}, 0.5, 1));
    }

    private static boolean isAscending(int[] a) {
        int[] s = a.clone();
        Arrays.sort(s);
        return Arrays.equals(s, a);
    }
}
