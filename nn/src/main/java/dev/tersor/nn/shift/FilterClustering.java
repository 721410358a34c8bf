package dev.tersor.nn.shift;

import dev.tersor.tensor.Generator;

/**
 * k-means on flattened filters (GhostSR's step for choosing intrinsic filters): k-means++
 * seeding from a {@link Generator}, Lloyd iterations in double until the assignment stops
 * changing, an emptied cluster taking the point farthest from its centroid, and per cluster the
 * member nearest its centroid as representative. Deterministic for a given seed.
 */
final class FilterClustering {
    /** Most Lloyd iterations. */
    static final int MAX_ITERATIONS = 100;

    /**
     * @param assignment      cluster of each point
     * @param representatives per cluster, the index of its member nearest the centroid
     */
    record Result(int[] assignment, int[] representatives) {
    }

    private FilterClustering() {
    }

    /** Clusters {@code points} (n rows of equal length) into {@code k} non-empty clusters, 1 ≤ k ≤ n. */
    static Result cluster(double[][] points, int k, Generator g) {
        int n = points.length;
        if (k < 1 || k > n) throw new IllegalArgumentException("k-means: need 1 <= k <= " + n + " points, got k=" + k);
        double[][] centroids = seed(points, k, g);
        int[] assignment = new int[n];
        java.util.Arrays.fill(assignment, -1);
        for (int iter = 0; iter < MAX_ITERATIONS; iter++) {
            boolean changed = false;
            for (int i = 0; i < n; i++) {
                int best = nearest(points[i], centroids);
                if (best != assignment[i]) {
                    assignment[i] = best;
                    changed = true;
                }
            }
            changed |= fillEmpty(points, centroids, assignment);
            if (!changed && iter > 0) break;
            centroids = means(points, assignment, k, centroids);
        }
        int[] reps = new int[k];
        double[] bestDist = new double[k];
        java.util.Arrays.fill(reps, -1);
        for (int i = 0; i < n; i++) {
            int c = assignment[i];
            double d = dist2(points[i], centroids[c]);
            if (reps[c] < 0 || d < bestDist[c]) {
                reps[c] = i;
                bestDist[c] = d;
            }
        }
        return new Result(assignment, reps);
    }

    /** k-means++: the first centre uniformly, each next one with probability ∝ squared distance to the nearest centre. */
    private static double[][] seed(double[][] points, int k, Generator g) {
        int n = points.length;
        double[][] centres = new double[k][];
        boolean[] taken = new boolean[n];
        int first = g.nextInt(n);
        centres[0] = points[first].clone();
        taken[first] = true;
        double[] d2 = new double[n];
        for (int i = 0; i < n; i++) d2[i] = dist2(points[i], centres[0]);
        for (int c = 1; c < k; c++) {
            double total = 0;
            for (int i = 0; i < n; i++) if (!taken[i]) total += d2[i];
            int pick = -1;
            if (total > 0) {
                double r = g.nextDouble() * total;
                for (int i = 0; i < n && pick < 0; i++) {
                    if (taken[i]) continue;
                    r -= d2[i];
                    if (r < 0) pick = i;
                }
            }
            if (pick < 0) {   // every remaining point coincides with a centre (or rounding): any untaken one
                int skip = g.nextInt(n - c);
                for (int i = 0; i < n; i++) if (!taken[i] && skip-- == 0) pick = i;
            }
            taken[pick] = true;
            centres[c] = points[pick].clone();
            for (int i = 0; i < n; i++) d2[i] = Math.min(d2[i], dist2(points[i], centres[c]));
        }
        return centres;
    }

    /** Moves, into each empty cluster, the point farthest from its centroid among clusters of two or more. */
    private static boolean fillEmpty(double[][] points, double[][] centroids, int[] assignment) {
        int k = centroids.length;
        boolean changed = false;
        int[] size = new int[k];
        for (int a : assignment) size[a]++;
        for (int c = 0; c < k; c++) {
            if (size[c] > 0) continue;
            int far = -1;
            double farD = -1;
            for (int i = 0; i < points.length; i++) {
                if (size[assignment[i]] < 2) continue;
                double d = dist2(points[i], centroids[assignment[i]]);
                if (d > farD) {
                    farD = d;
                    far = i;
                }
            }
            size[assignment[far]]--;
            assignment[far] = c;
            size[c] = 1;
            centroids[c] = points[far].clone();
            changed = true;
        }
        return changed;
    }

    private static double[][] means(double[][] points, int[] assignment, int k, double[][] previous) {
        int dim = points[0].length;
        double[][] sum = new double[k][dim];
        int[] count = new int[k];
        for (int i = 0; i < points.length; i++) {
            int c = assignment[i];
            count[c]++;
            for (int d = 0; d < dim; d++) sum[c][d] += points[i][d];
        }
        for (int c = 0; c < k; c++) {
            if (count[c] == 0) {
                sum[c] = previous[c].clone();
                continue;
            }
            for (int d = 0; d < dim; d++) sum[c][d] /= count[c];
        }
        return sum;
    }

    private static int nearest(double[] p, double[][] centroids) {
        int best = 0;
        double bestD = dist2(p, centroids[0]);
        for (int c = 1; c < centroids.length; c++) {
            double d = dist2(p, centroids[c]);
            if (d < bestD) {
                bestD = d;
                best = c;
            }
        }
        return best;
    }

    static double dist2(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            double d = a[i] - b[i];
            s += d * d;
        }
        return s;
    }
}
