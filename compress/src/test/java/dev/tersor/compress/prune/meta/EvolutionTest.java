package dev.tersor.compress.prune.meta;

import static org.junit.jupiter.api.Assertions.*;

import dev.tersor.tensor.Generator;
import java.util.List;
import java.util.function.ToLongFunction;
import org.junit.jupiter.api.Test;

/** MetaPruning's mutation, crossover and search on synthetic fitness functions. */
class EvolutionTest {
    /** MACs of a genome: Σ (g_i + 1)·w_i. */
    static final long[] W = {5, 3, 8, 2};
    static final ToLongFunction<int[]> MACS = g -> {
        long s = 0;
        for (int i = 0; i < g.length; i++) s += (g[i] + 1) * W[i];
        return s;
    };

    @Test
    void mutationGolden() {
        int[] levels = {31, 3, 1, 4, 31, 31}, parent = {30, 0, 0, 3, 5, 12};
        // Generator(42): each gene draws nextDouble(); below p = 0.5 it moves by 1 + nextInt(L − 1) modulo L
        Generator replay = new Generator(42);
        int[] want = parent.clone();
        for (int i = 0; i < want.length; i++) {
            if (replay.nextDouble() < 0.5 && levels[i] > 1) want[i] = (want[i] + 1 + replay.nextInt(levels[i] - 1)) % levels[i];
        }
        int[] got = Evolution.mutate(parent, levels, 0.5, new Generator(42));
        assertArrayEquals(want, got);
        assertArrayEquals(new int[] {30, 0, 0, 3, 5, 12}, parent, "the parent is not changed");
        // Generator(42) draws 0.742 (no), 0.160 then nextInt(2) = 1: 0 → 2, 0.344 (one level: stays), 0.038 then 1: 3 → 1,
        // 0.218 then 6: 5 → 12, 0.340 then 18: 12 → 31 mod 31 = 0
        assertArrayEquals(new int[] {30, 2, 0, 1, 12, 0}, got, "the seeded draws, once more by hand");
        int[] all = Evolution.mutate(parent, levels, 1.0, new Generator(7));
        for (int i = 0; i < all.length; i++) {
            assertTrue(all[i] >= 0 && all[i] < levels[i]);
            if (levels[i] > 1) assertNotEquals(parent[i], all[i], "with p = 1 every gene with a choice changes");
        }
        assertEquals(0, all[2], "a gene with one level cannot move");
    }

    @Test
    void crossoverGolden() {
        int[] a = {1, 2, 3, 4, 5, 6, 7, 8}, b = {10, 20, 30, 40, 50, 60, 70, 80};
        Generator replay = new Generator(9);
        int[] want = new int[a.length];
        for (int i = 0; i < a.length; i++) want[i] = replay.nextInt(2) == 1 ? a[i] : b[i];
        assertArrayEquals(want, Evolution.crossover(a, b, new Generator(9)));
        // Generator(9)'s nextInt(2): 0 0 1 0 0 1 0 0
        assertArrayEquals(new int[] {10, 20, 3, 40, 50, 6, 70, 80}, Evolution.crossover(a, b, new Generator(9)), "the seeded draws, by hand");
    }

    @Test
    void searchFindsTheKnownBestWidthsInsideTheBand() {
        int[] levels = {31, 31, 31, 31}, best = {20, 7, 11, 25};
        long max = MACS.applyAsLong(best), min = max - 20;   // the best sits on the limit
        Evolution e = new Evolution(levels, MACS, min, max, EvolutionSettings.OFFICIAL, new Generator(3));
        List<Evolution.Scored> top = e.run(g -> {
            double d = 0;
            for (int i = 0; i < g.length; i++) d += (g[i] - best[i]) * (double) (g[i] - best[i]);
            return d;
        }, null);
        assertArrayEquals(best, top.get(0).genes());
        assertEquals(0.0, top.get(0).error());
        assertEquals(50, top.size());
        for (Evolution.Scored s : top) {
            assertTrue(s.macs() <= max && s.macs() >= min, "every candidate lies in the MACs band: " + s);
            assertEquals(MACS.applyAsLong(s.genes()), s.macs());
        }
        for (int i = 1; i < top.size(); i++) assertTrue(top.get(i - 1).error() <= top.get(i).error());
        assertEquals(top.size(), top.stream().map(s -> java.util.Arrays.toString(s.genes())).distinct().count(), "no genome twice");
    }

    @Test
    void repairMovesARandomGenomeIntoTheBand() {
        int[] levels = {31, 31, 31, 31};
        Evolution e = new Evolution(levels, MACS, 60, 70, EvolutionSettings.OFFICIAL, new Generator(5));
        int[] c = e.repaired(new int[] {30, 30, 30, 30});
        long m = MACS.applyAsLong(c);
        assertTrue(m >= 60 && m <= 70, "macs " + m);
        ToLongFunction<int[]> tens = g -> 10L * (g[0] + 1) + 10L * (g[1] + 1);   // 20, 30 or 40
        assertNull(new Evolution(new int[] {2, 2}, tens, 25, 29, EvolutionSettings.OFFICIAL, new Generator(5)).repaired(new int[] {1, 1}),
                "no genome has MACs in [25, 29]");
    }

    @Test
    void impossibleLimitsFailClearly() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Evolution(new int[] {31, 31, 31, 31}, MACS, 0, 17, EvolutionSettings.OFFICIAL, new Generator(1)));
        assertTrue(e.getMessage().contains("no width vector meets the MACs limit 17"), e.getMessage());
        assertTrue(e.getMessage().contains("has 18"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new EvolutionSettings(50, 50, 1, 25, 0.1, 25, 20));
        assertThrows(IllegalArgumentException.class, () -> new EvolutionSettings(50, 50, 10, 30, 0.1, 25, 20));
        assertThrows(IllegalArgumentException.class, () -> new EvolutionSettings(50, 50, 10, 25, 0, 25, 20));
        EvolutionSettings s = EvolutionSettings.scaled(8, 3);
        assertEquals(new EvolutionSettings(8, 8, 2, 4, 0.1, 4, 3), s);
    }
}
