package dev.tersor.compress.cluster;

import dev.tersor.tensor.Generator;
import java.util.Arrays;
import java.util.Locale;

/**
 * Not a test: times {@link OptimalClustering} and {@link KMeans} on a layer of n Gaussian weights
 * (median of several runs after warm-up). Run from the repository root after {@code test-compile}:
 * <pre>
 * java -cp compress/target/classes:compress/target/test-classes:nn/target/classes:tensor/target/classes \
 *     dev.tersor.compress.cluster.ClusteringTiming 2400000 8 5
 * </pre>
 */
public final class ClusteringTiming {
    private ClusteringTiming() {
    }

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 2_400_000;
        int k = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        Generator g = new Generator(1);
        float[] w = new float[n];
        for (int i = 0; i < n; i++) w[i] = g.nextGaussian() * 0.02f;
        double[] dp = new double[runs], km = new double[runs];
        double dpSse = 0, kmSse = 0;
        OptimalClustering.cluster(Arrays.copyOf(w, Math.min(n, 200_000)), k);   // warm-up
        for (int r = 0; r < runs; r++) {
            long t0 = System.nanoTime();
            dpSse = OptimalClustering.cluster(w, k).sse();
            long t1 = System.nanoTime();
            kmSse = new KMeans(100, r).cluster(w, k).sse();
            long t2 = System.nanoTime();
            dp[r] = (t1 - t0) / 1e9;
            km[r] = (t2 - t1) / 1e9;
        }
        Arrays.sort(dp);
        Arrays.sort(km);
        System.out.printf(Locale.ROOT, "{\"n\": %d, \"k\": %d, \"runs\": %d, \"dp_median_s\": %.3f, \"dp_min_s\": %.3f, \"dp_sse\": %.6g, "
                + "\"kmeans100_median_s\": %.3f, \"kmeans_sse\": %.6g}%n", n, k, runs, dp[runs / 2], dp[0], dpSse, km[runs / 2], kmSse);
    }
}
