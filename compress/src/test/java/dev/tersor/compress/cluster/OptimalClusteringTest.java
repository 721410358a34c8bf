package dev.tersor.compress.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.tensor.Generator;
import org.junit.jupiter.api.Test;

/** The DP against brute force over every partition, against k-means, and its edge cases. */
class OptimalClusteringTest {

    /** The least SSE over all partitions of x (not only contiguous ones) into at most k blocks. */
    private static double bruteForce(float[] x, int k) {
        return search(x, k, 0, new int[x.length], 0);
    }

    private static double search(float[] x, int k, int i, int[] block, int blocks) {
        if (i == x.length) {
            double sse = 0;
            for (int b = 0; b < blocks; b++) {
                double s = 0;
                int c = 0;
                for (int j = 0; j < x.length; j++) if (block[j] == b) {
                    s += x[j];
                    c++;
                }
                double mean = s / c;
                for (int j = 0; j < x.length; j++) if (block[j] == b) sse += (x[j] - mean) * (x[j] - mean);
            }
            return sse;
        }
        double best = Double.POSITIVE_INFINITY;
        for (int b = 0; b < Math.min(blocks + 1, k); b++) {
            block[i] = b;
            best = Math.min(best, search(x, k, i + 1, block, Math.max(blocks, b + 1)));
        }
        return best;
    }

    private static void assertConsistent(float[] w, Clusters c) {
        float[] centres = c.centres();
        int[] idx = c.indices();
        double sse = 0;
        for (int i = 0; i < w.length; i++) {
            double d = w[i] - (double) centres[idx[i]];
            sse += d * d;
        }
        assertEquals(sse, c.sse(), 1e-12 + 1e-9 * sse, "reported SSE");
        // each centre is the mean of its cluster, and each weight is at its nearest centre
        double[] sum = new double[c.k()];
        int[] count = new int[c.k()];
        for (int i = 0; i < w.length; i++) {
            sum[idx[i]] += w[i];
            count[idx[i]]++;
        }
        for (int j = 0; j < c.k(); j++) {
            assertTrue(count[j] > 0, "cluster " + j + " is empty");
            assertEquals(sum[j] / count[j], centres[j], 1e-6 * (1 + Math.abs(sum[j] / count[j])), "centre " + j + " is its cluster's mean");
        }
        for (int i = 0; i < w.length; i++) {
            double own = Math.abs(w[i] - (double) centres[idx[i]]);
            for (float cj : centres) assertTrue(own <= Math.abs(w[i] - (double) cj) + 1e-6, "weight " + i + " is at its nearest centre");
        }
    }

    @Test
    void equalsBruteForceOnSmallRandomAndTiedInputs() {
        Generator g = new Generator(11);
        for (int trial = 0; trial < 60; trial++) {
            int n = 1 + trial % 10;
            float[] w = new float[n];
            boolean tied = trial % 3 == 0;
            for (int i = 0; i < n; i++) w[i] = tied ? g.nextInt(4) * 0.5f - 1 : g.nextGaussian();
            for (int k = 1; k <= 4; k++) {
                double brute = bruteForce(w, k);
                for (long tableLimit : new long[] {1L << 22, 0}) {   // the split table, and halving down to one cluster
                    Clusters c = OptimalClustering.cluster(w, k, tableLimit);
                    assertEquals(brute, c.sse(), 1e-9 + 1e-6 * brute, "n=" + n + " k=" + k + " tied=" + tied + ": " + c);
                    assertConsistent(w, c);
                }
            }
        }
    }

    /**
     * By hand, {0, 1, 10, 11, 12, 30}: in 2 clusters {0, 1, 10, 11, 12} | {30} (centre 6.8, SSE
     * 6.8² + 5.8² + 3.2² + 4.2² + 5.2² = 134.8; {0, 1} | {10, 11, 12, 30} costs 273.25); in 3,
     * {0, 1} | {10, 11, 12} | {30} with SSE 0.25·2 + 1 + 0 + 1 = 2.5.
     */
    @Test
    void handExample() {
        float[] w = {11, 0, 30, 12, 1, 10};
        Clusters two = OptimalClustering.cluster(w, 2);
        assertArrayEquals(new float[] {6.8f, 30f}, two.centres());
        assertArrayEquals(new int[] {0, 0, 1, 0, 0, 0}, two.indices());
        assertEquals(134.8, two.sse(), 1e-9);
        Clusters three = OptimalClustering.cluster(w, 3);
        assertArrayEquals(new float[] {0.5f, 11f, 30f}, three.centres());
        assertArrayEquals(new int[] {1, 0, 2, 1, 0, 1}, three.indices());
        assertEquals(2.5, three.sse(), 1e-12);
    }

    @Test
    void fewerDistinctValuesThanClustersGiveEachItsOwnCentre() {
        float[] w = {3, -1, 3, 0.0f, -0.0f, -1, 3};
        Clusters c = OptimalClustering.cluster(w, 8);
        assertArrayEquals(new float[] {-1, 0, 3}, c.centres());
        assertArrayEquals(new int[] {2, 0, 2, 1, 1, 0, 2}, c.indices());
        assertEquals(0, c.sse());
        Clusters one = OptimalClustering.cluster(new float[] {2.5f}, 4);
        assertArrayEquals(new float[] {2.5f}, one.centres());
        Clusters all = OptimalClustering.cluster(new float[] {5, 5, 5, 5}, 2);
        assertArrayEquals(new float[] {5}, all.centres());
        assertArrayEquals(new int[] {0, 0, 0, 0}, all.indices());
    }

    @Test
    void equalWeightsShareACluster() {
        Generator g = new Generator(5);
        float[] w = new float[2000];
        for (int i = 0; i < w.length; i++) w[i] = g.nextInt(40) * 0.025f;
        Clusters c = OptimalClustering.cluster(w, 8);
        int[] idx = c.indices();
        for (int i = 0; i < w.length; i++) for (int j = 0; j < i; j++) if (w[i] == w[j]) assertEquals(idx[j], idx[i]);
        assertConsistent(w, c);
    }

    /** k-means++ plus Lloyd finds a local optimum only: the DP is never worse, and strictly better somewhere. */
    @Test
    void neverWorseThanKMeans() {
        Generator g = new Generator(21);
        int strictlyBetter = 0, cases = 0;
        for (int trial = 0; trial < 12; trial++) {
            int n = 200 + 97 * trial;
            float[] w = new float[n];
            for (int i = 0; i < n; i++) w[i] = trial % 2 == 0 ? g.nextGaussian() * 0.05f : (float) Math.pow(g.nextDouble(), 3) - 0.3f;
            for (int k : new int[] {2, 4, 8, 16}) {
                Clusters dp = OptimalClustering.cluster(w, k);
                Clusters km = new KMeans(100, trial).cluster(w, k);
                assertTrue(dp.sse() <= km.sse() * (1 + 1e-9) + 1e-12, "n=" + n + " k=" + k + ": DP " + dp.sse() + " vs k-means " + km.sse());
                assertEquals(k, dp.k());
                assertConsistent(w, dp);
                if (dp.sse() < km.sse() * (1 - 1e-6)) strictlyBetter++;
                cases++;
            }
        }
        assertTrue(strictlyBetter > 0, "k-means matched the optimum in all " + cases + " cases: the comparison tests nothing");
    }

    /** Halving (O(d) memory) and the split table find the same optimum, for many k. */
    @Test
    void halvingAndTableAgree() {
        Generator g = new Generator(8);
        float[] w = new float[3001];
        for (int i = 0; i < w.length; i++) w[i] = g.nextGaussian() * (i % 3 == 0 ? 0.1f : 1f);
        for (int k : new int[] {2, 3, 5, 8, 17, 64, 256}) {
            Clusters table = OptimalClustering.cluster(w, k, Long.MAX_VALUE), halved = OptimalClustering.cluster(w, k, 0);
            assertEquals(table.sse(), halved.sse(), 1e-9 * table.sse(), "k=" + k);
            assertConsistent(w, halved);
        }
    }

    /** 1.5M weights take the halving path at the top, the table below; the optimum of N(0, 1) in 8 levels is known. */
    @Test
    void largeLayerReachesTheLloydMaxOptimum() {
        Generator g = new Generator(3);
        float[] w = new float[1_500_000];
        for (int i = 0; i < w.length; i++) w[i] = g.nextGaussian();
        Clusters dp = OptimalClustering.cluster(w, 8);
        Clusters km = new KMeans(30, 1).cluster(w, 8);
        assertTrue(dp.sse() <= km.sse() * (1 + 1e-9), "DP " + dp.sse() + " vs k-means " + km.sse());
        // Lloyd-Max quantizer of N(0, 1) with 8 levels: MSE 0.03455 (Max, 1960); the sample's is within sampling error
        assertEquals(0.03455, dp.sse() / w.length, 0.0005);
        float[] c = dp.centres();
        assertEquals(2.152, c[7], 0.02, "outermost Lloyd-Max level");
        assertEquals(-0.245, c[3], 0.01, "innermost Lloyd-Max level");
    }

    @Test
    void rejectsNaNInfiniteEmptyAndBadK() {
        var e = assertThrows(IllegalArgumentException.class, () -> OptimalClustering.cluster(new float[] {1, Float.NaN, 2}, 2));
        assertTrue(e.getMessage().contains("weight 1 is NaN"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> OptimalClustering.cluster(new float[] {Float.NEGATIVE_INFINITY}, 2));
        assertTrue(e.getMessage().contains("weight 0 is -Infinity"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> OptimalClustering.cluster(new float[0], 2));
        e = assertThrows(IllegalArgumentException.class, () -> OptimalClustering.cluster(new float[] {1}, 0));
        assertTrue(e.getMessage().contains("k must be >= 1, got 0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new KMeans(10, 1).cluster(new float[] {Float.NaN}, 2));
        assertThrows(IllegalArgumentException.class, () -> new KMeans(0, 1));
    }
}
