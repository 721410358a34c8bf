package dev.tersor.search;

/**
 * Kendall's rank correlation τ-b of two score lists (ties corrected, as
 * {@code scipy.stats.kendalltau}):
 * <pre>
 * τ_b = (C − D) / √((n₀ − t_x)(n₀ − t_y))     n₀ = n(n−1)/2
 * </pre>
 * with C and D the concordant and discordant pairs and t_x, t_y the pairs tied in x or in y.
 * O(n²), meant for the few hundred architectures of a benchmark space.
 */
public final class KendallTau {
    private KendallTau() {
    }

    /** τ-b of {@code x} and {@code y} (same length, at least 2, finite); NaN when either is constant. */
    public static double of(double[] x, double[] y) {
        if (x.length != y.length) throw new IllegalArgumentException("KendallTau: lengths differ (" + x.length + " vs " + y.length + ")");
        if (x.length < 2) throw new IllegalArgumentException("KendallTau: needs at least 2 pairs, got " + x.length);
        long concordant = 0, discordant = 0, tiedX = 0, tiedY = 0;
        for (int i = 0; i < x.length; i++) {
            if (!Double.isFinite(x[i]) || !Double.isFinite(y[i])) throw new IllegalArgumentException("KendallTau: value " + i + " is not finite");
            for (int j = i + 1; j < x.length; j++) {
                int sx = Double.compare(x[i], x[j]), sy = Double.compare(y[i], y[j]);
                if (sx == 0) tiedX++;
                if (sy == 0) tiedY++;
                if (sx != 0 && sy != 0) {
                    if (sx == sy) concordant++;
                    else discordant++;
                }
            }
        }
        long n0 = (long) x.length * (x.length - 1) / 2;
        double denominator = Math.sqrt((double) (n0 - tiedX) * (n0 - tiedY));
        return denominator == 0 ? Double.NaN : (concordant - discordant) / denominator;
    }
}
