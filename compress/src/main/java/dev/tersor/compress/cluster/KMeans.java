package dev.tersor.compress.cluster;

import dev.tersor.tensor.Generator;
import java.util.Arrays;

/**
 * 1-D k-means: k-means++ seeding (Arthur and Vassilvitskii, 2007: the first centre uniform, each
 * next one drawn with probability ∝ the squared distance to the nearest centre so far) from a
 * seeded {@link Generator}, then Lloyd iterations (assign each weight to its nearest centre,
 * move each centre to its cluster's mean; an empty cluster keeps its centre) until no assignment
 * changes or {@code maxIterations} are done. A local optimum: {@link OptimalClustering} is never
 * worse. Fewer than k centres come back when the weights have fewer distinct values. Deep
 * Compression's (Han et al., 2016) weight sharing uses this with linear initialisation.
 *
 * @param maxIterations Lloyd iterations at most, ≥ 1
 * @param seed          the seed of the k-means++ draws
 */
public record KMeans(int maxIterations, long seed) {
    public KMeans {
        if (maxIterations < 1) throw new IllegalArgumentException("maxIterations must be >= 1, got " + maxIterations);
    }

    /** k-means of {@code weights} (not changed) with at most {@code k ≥ 1} centres. */
    public Clusters cluster(float[] weights, int k) {
        Clusters.checkFinite(weights, k);
        int n = weights.length;
        float[] centres = seed(weights, k);
        int[] assign = new int[n];
        Arrays.fill(assign, -1);
        double[] sum = new double[centres.length];
        int[] count = new int[centres.length];
        for (int it = 0; it < maxIterations; it++) {
            Arrays.sort(centres);
            boolean changed = false;
            Arrays.fill(sum, 0);
            Arrays.fill(count, 0);
            for (int i = 0; i < n; i++) {
                int j = nearest(centres, weights[i]);
                changed |= j != assign[i];
                assign[i] = j;
                sum[j] += weights[i];
                count[j]++;
            }
            if (!changed) break;
            for (int j = 0; j < centres.length; j++) if (count[j] > 0) centres[j] = (float) (sum[j] / count[j]);
        }
        Arrays.sort(centres);
        int m = 0;   // drop duplicates (two centres that met)
        for (int j = 0; j < centres.length; j++) if (m == 0 || centres[j] != centres[m - 1]) centres[m++] = centres[j];
        centres = Arrays.copyOf(centres, m);
        for (int i = 0; i < n; i++) assign[i] = nearest(centres, weights[i]);
        return Clusters.measure(weights, centres, assign);
    }

    /** k-means++ seeds: stops early when every weight already sits on a centre. */
    private float[] seed(float[] w, int k) {
        Generator g = new Generator(seed);
        float[] centres = new float[k];
        double[] dist = new double[w.length];
        centres[0] = w[g.nextInt(w.length)];
        double total = 0;
        for (int i = 0; i < w.length; i++) total += dist[i] = sq(w[i] - (double) centres[0]);
        int m = 1;
        while (m < k && total > 0) {
            double r = g.nextDouble() * total, acc = 0;
            int pick = w.length - 1;
            for (int i = 0; i < w.length; i++) {
                acc += dist[i];
                if (acc > r && dist[i] > 0) {
                    pick = i;
                    break;
                }
            }
            while (dist[pick] == 0) pick--;   // rounding left r at the end: take the last weight off every centre
            float c = centres[m++] = w[pick];
            total = 0;
            for (int i = 0; i < w.length; i++) total += dist[i] = Math.min(dist[i], sq(w[i] - (double) c));
        }
        return Arrays.copyOf(centres, m);
    }

    /** The index of the centre nearest to x in sorted {@code centres} (the lower one on a tie). */
    static int nearest(float[] centres, float x) {
        int hi = Arrays.binarySearch(centres, x);
        if (hi >= 0) return hi;
        hi = -hi - 1;   // first centre above x
        if (hi == 0) return 0;
        if (hi == centres.length) return hi - 1;
        return (double) x - centres[hi - 1] <= (double) centres[hi] - x ? hi - 1 : hi;
    }

    private static double sq(double x) {
        return x * x;
    }
}
