package dev.tersor.compress.sparse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link MagnitudePruning} against a brute-force sort of (|w|, layer, index). */
class MagnitudePruningTest {
    /** Weights with many ties (values on a coarse grid) and a few exact zeros. */
    static float[] weights(Random rnd, int n) {
        float[] w = new float[n];
        for (int i = 0; i < n; i++) w[i] = (rnd.nextInt(41) - 20) / 8f;
        return w;
    }

    /** Keeps the k largest |w| among the alive, earlier (layer, index) first on ties, by sorting every candidate. */
    static List<boolean[]> bruteForce(List<float[]> ws, List<boolean[]> alive, long k) {
        List<int[]> order = new ArrayList<>();
        for (int l = 0; l < ws.size(); l++) {
            for (int i = 0; i < ws.get(l).length; i++) if (alive == null || alive.get(l)[i]) order.add(new int[] {l, i});
        }
        order.sort(Comparator.<int[]>comparingDouble(p -> -Math.abs(ws.get(p[0])[p[1]])).thenComparingInt(p -> p[0]).thenComparingInt(p -> p[1]));
        List<boolean[]> out = new ArrayList<>();
        for (float[] w : ws) out.add(new boolean[w.length]);
        for (int j = 0; j < Math.min(k, order.size()); j++) out.get(order.get(j)[0])[order.get(j)[1]] = true;
        return out;
    }

    @Test
    void globalSelectionMatchesTheBruteForceSort() {
        Random rnd = new Random(1);
        for (double s : new double[] {0, 0.3, 0.5, 0.9, 0.99}) {
            List<float[]> ws = List.of(weights(rnd, 150), weights(rnd, 2400), weights(rnd, 17));
            long n = 150 + 2400 + 17, k = Math.max(1, Math.round(n * (1 - s)));
            List<boolean[]> got = MagnitudePruning.select(ws, null, s, PruningScope.GLOBAL);
            List<boolean[]> want = bruteForce(ws, null, k);
            for (int l = 0; l < ws.size(); l++) assertArrayEquals(want.get(l), got.get(l), "sparsity " + s + ", layer " + l);
        }
    }

    @Test
    void perLayerSelectionGivesEveryLayerItsOwnThreshold() {
        Random rnd = new Random(2);
        List<float[]> ws = List.of(weights(rnd, 150), weights(rnd, 2400), weights(rnd, 17));
        // a layer of large weights: a global threshold prunes the others first, a per-layer one prunes it too
        float[] big = ws.get(0);
        for (int i = 0; i < big.length; i++) big[i] *= 100;
        List<boolean[]> layer = MagnitudePruning.select(ws, null, 0.8, PruningScope.LAYER);
        for (int l = 0; l < ws.size(); l++) {
            long k = Math.max(1, Math.round(ws.get(l).length * 0.2));
            assertArrayEquals(bruteForce(List.of(ws.get(l)), null, k).get(0), layer.get(l), "layer " + l);
        }
        List<boolean[]> global = MagnitudePruning.select(ws, null, 0.8, PruningScope.GLOBAL);
        assertTrue(count(global.get(0)) > count(layer.get(0)), "global keeps more of the large layer");
        assertEquals(count(layer.get(0)) + count(layer.get(1)) + count(layer.get(2)),
                count(global.get(0)) + count(global.get(1)) + count(global.get(2)), 2);
    }

    @Test
    void prunedWeightsAreNeverRevivedAndSelectionNarrowsAmongTheAlive() {
        Random rnd = new Random(3);
        float[] w = weights(rnd, 1000);
        boolean[] alive = new boolean[w.length];
        for (int i = 0; i < w.length; i++) alive[i] = i % 3 != 0;     // a third already pruned, whatever their size
        List<boolean[]> got = MagnitudePruning.select(List.of(w), List.of(alive), 0.5, PruningScope.LAYER);
        assertArrayEquals(bruteForce(List.of(w), List.of(alive), 500).get(0), got.get(0));
        for (int i = 0; i < w.length; i += 3) assertFalse(got.get(0)[i]);
        // asking for less sparsity than the mask already has keeps the mask
        List<boolean[]> lower = MagnitudePruning.select(List.of(w), List.of(alive), 0.1, PruningScope.LAYER);
        assertArrayEquals(alive, lower.get(0));
    }

    @Test
    void keepCountRoundsAndKeepsOne() {
        assertEquals(10, MagnitudePruning.keepCount(100, 0.9));
        assertEquals(1, MagnitudePruning.keepCount(10, 0.99));
        assertEquals(100, MagnitudePruning.keepCount(100, 0));
        assertEquals(3, MagnitudePruning.keepCount(5, 0.5));   // round(2.5) = 3
    }

    @Test
    void badInputIsNamed() {
        List<float[]> ws = List.<float[]>of(new float[] {1, 2});
        assertEquals("sparsity must be in [0, 1), got 1.0",
                assertThrows(IllegalArgumentException.class, () -> MagnitudePruning.select(ws, null, 1.0, PruningScope.GLOBAL)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> MagnitudePruning.select(ws, null, -0.5, PruningScope.GLOBAL));
        assertThrows(IllegalArgumentException.class, () -> MagnitudePruning.select(ws, null, Double.NaN, PruningScope.GLOBAL));
        assertEquals("layer 0: weight 1 is NaN", assertThrows(IllegalArgumentException.class,
                () -> MagnitudePruning.select(List.<float[]>of(new float[] {1, Float.NaN}), null, 0.5, PruningScope.LAYER)).getMessage());
    }

    private static int count(boolean[] b) {
        int c = 0;
        for (boolean x : b) if (x) c++;
        return c;
    }
}
