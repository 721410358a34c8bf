package dev.tersor.compress.cluster;

import java.util.Arrays;

/**
 * The exact minimum-SSE clustering of n scalars into at most k groups, by dynamic programming
 * (DP-Net, Yang et al., arXiv 2003.09615: the optimal 1-D k-means is a partition of the
 * sorted weights into contiguous runs). With the d distinct sorted values {@code v} (ties merged,
 * with their counts) and {@code D[m][i]} the least SSE of the first i of them in m clusters:
 * <pre>
 * D[1][i] = SSE(0, i),   D[m][i] = min_{m−1 ≤ j < i} D[m−1][j] + SSE(j, i),
 * SSE(j, i) = Q(j, i) − S(j, i)² / C(j, i)      (count, sum and sum of squares of v[j..i) from prefix sums)
 * </pre>
 * The best split j is non-decreasing in i (SSE obeys the quadrangle inequality), so each layer is
 * found by divide and conquer in O(d log d) cost evaluations: O(k·d·log d) in all. The splits are
 * recovered in O(d) memory by Hirschberg's halving (the boundary after ⌊k/2⌋ clusters minimises
 * a forward plus a backward half-DP; both halves are solved the same way), which at most doubles
 * the work; small sub-problems keep the split table instead. Prefix sums are taken in double
 * after subtracting the mean, to keep cancellation small.
 * <p>
 * The result has {@code min(k, d)} centres (the means of their clusters, as floats), so n ≤ k
 * or few distinct values give every distinct value its own centre and SSE 0; equal weights
 * always share a cluster. NaN or infinite weights are an {@link IllegalArgumentException}.
 * <pre>{@code
 * Clusters c = OptimalClustering.cluster(conv.weight().value().toArray(), 8);   // 3 bits
 * }</pre>
 */
public final class OptimalClustering {
    /** Sub-problems whose split table has at most this many entries keep it (16 MB) instead of halving. */
    private static final long TABLE_LIMIT = 1L << 22;

    private OptimalClustering() {
    }

    /** The optimal clustering of {@code weights} (not changed) into at most {@code k ≥ 1} centres. */
    public static Clusters cluster(float[] weights, int k) {
        return cluster(weights, k, TABLE_LIMIT);
    }

    /** As {@link #cluster(float[], int)}, halving every sub-problem whose split table would exceed {@code tableLimit} entries. */
    static Clusters cluster(float[] weights, int k, long tableLimit) {
        Clusters.checkFinite(weights, k);
        float[] sorted = new float[weights.length];
        double mean = 0;
        for (int i = 0; i < weights.length; i++) {
            sorted[i] = weights[i] + 0.0f;   // −0 and +0 are one value
            mean += sorted[i];
        }
        mean /= weights.length;
        Arrays.sort(sorted);
        int d = 0;
        int[] count = new int[sorted.length];
        for (int i = 0; i < sorted.length; i++) {
            if (d > 0 && sorted[i] == sorted[d - 1]) {
                count[d - 1]++;
            } else {
                sorted[d] = sorted[i];
                count[d++] = 1;
            }
        }
        float[] values = Arrays.copyOf(sorted, d);
        int m = Math.min(k, d);
        int[] starts = new int[m + 1];   // cluster t holds the distinct values [starts[t], starts[t+1])
        starts[m] = d;
        Segments forward = new Segments(values, count, mean);
        new Solver(forward, forward.reversed(), tableLimit).solve(0, d, m, starts, 0);

        float[] centres = new float[m];
        int[] clusterOf = new int[d];
        for (int t = 0; t < m; t++) {
            double s = 0;
            long c = 0;
            for (int j = starts[t]; j < starts[t + 1]; j++) {
                s += (double) values[j] * count[j];
                c += count[j];
                clusterOf[j] = t;
            }
            centres[t] = (float) (s / c);
        }
        int[] indices = new int[weights.length];
        for (int i = 0; i < weights.length; i++) indices[i] = clusterOf[Arrays.binarySearch(values, weights[i] + 0.0f)];
        return Clusters.measure(weights, centres, indices);
    }

    /** Count, sum and sum of squares of the (mean-shifted) distinct values, as prefix sums; optionally seen back to front. */
    private static final class Segments {
        private final double[] c, s, q;   // [d + 1]
        private final int d;
        private final boolean reversed;

        Segments(float[] values, int[] count, double shift) {
            d = values.length;
            c = new double[d + 1];
            s = new double[d + 1];
            q = new double[d + 1];
            for (int j = 0; j < d; j++) {
                double x = values[j] - shift;
                c[j + 1] = c[j] + count[j];
                s[j + 1] = s[j] + x * count[j];
                q[j + 1] = q[j] + x * x * count[j];
            }
            reversed = false;
        }

        private Segments(Segments base) {
            c = base.c;
            s = base.s;
            q = base.q;
            d = base.d;
            reversed = !base.reversed;
        }

        /** The same values in decreasing order: position p here is position d − p there. */
        Segments reversed() {
            return new Segments(this);
        }

        /** SSE of the values at positions [a, b), a < b, about their mean. */
        double cost(int a, int b) {
            if (reversed) {
                int t = a;
                a = d - b;
                b = d - t;
            }
            double n = c[b] - c[a], sum = s[b] - s[a];
            double sse = (q[b] - q[a]) - sum * sum / n;
            return sse > 0 ? sse : 0;
        }
    }

    /** The DP layers and the recovery of the split points. */
    private record Solver(Segments forward, Segments backward, long tableLimit) {

        /** Sets {@code starts[first+1 .. first+k-1]}: the best split of positions [lo, hi) into k ≤ hi − lo clusters. */
        void solve(int lo, int hi, int k, int[] starts, int first) {
            starts[first] = lo;
            if (k == 1) return;
            if ((long) (k - 1) * (hi - lo + 1) <= tableLimit) {
                int[][] splits = new int[k - 1][hi - lo + 1];
                layers(forward, lo, hi, k, hi, splits);
                int p = hi;
                for (int t = k; t >= 2; t--) {
                    p = splits[t - 2][p - lo];
                    starts[first + t - 1] = p;
                }
                return;
            }
            int h = k / 2, d = forward.d;
            double[] left = layers(forward, lo, hi, h, hi - (k - h), null);                 // [lo, p) in h clusters, at p − lo
            double[] right = layers(backward, d - hi, d - lo, k - h, d - lo - h, null);     // [p, hi) in k − h clusters, at hi − p
            int best = lo + h;
            double bestCost = Double.POSITIVE_INFINITY;
            for (int p = lo + h; p <= hi - (k - h); p++) {
                double v = left[p - lo] + right[hi - p];
                if (v < bestCost) {
                    bestCost = v;
                    best = p;
                }
            }
            solve(lo, best, h, starts, first);
            solve(best, hi, k - h, starts, first + h);
        }

        /**
         * {@code out[p − lo]} = the least SSE of positions [lo, p) in m clusters, for
         * {@code p ∈ [lo + m, pMax]} (other entries unspecified). With {@code splits}, row
         * {@code t − 2} holds the best start of the last cluster of layer t at {@code p − lo}.
         */
        private static double[] layers(Segments seg, int lo, int hi, int m, int pMax, int[][] splits) {
            double[] prev = new double[hi - lo + 1], next = new double[hi - lo + 1];
            for (int p = lo + 1; p <= pMax - (m - 1); p++) prev[p - lo] = seg.cost(lo, p);
            for (int t = 2; t <= m; t++) {
                conquer(seg, lo, prev, next, splits == null ? null : splits[t - 2], lo + t, pMax - (m - t), lo + t - 1, pMax - (m - t) - 1);
                double[] swap = prev;
                prev = next;
                next = swap;
            }
            return prev;
        }

        /** Fills {@code next[p − lo]} for p in [pLo, pHi], knowing that their best splits lie in [jLo, jHi]. */
        private static void conquer(Segments seg, int lo, double[] prev, double[] next, int[] split, int pLo, int pHi, int jLo, int jHi) {
            while (pLo <= pHi) {
                int mid = (pLo + pHi) >>> 1;
                double best = Double.POSITIVE_INFINITY;
                int bestJ = jLo;
                for (int j = jLo, end = Math.min(jHi, mid - 1); j <= end; j++) {
                    double v = prev[j - lo] + seg.cost(j, mid);
                    if (v < best) {
                        best = v;
                        bestJ = j;
                    }
                }
                next[mid - lo] = best;
                if (split != null) split[mid - lo] = bestJ;
                conquer(seg, lo, prev, next, split, pLo, mid - 1, jLo, bestJ);
                pLo = mid + 1;   // the right half, iteratively
                jLo = bestJ;
            }
        }
    }
}
