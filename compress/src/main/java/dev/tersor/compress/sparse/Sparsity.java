package dev.tersor.compress.sparse;

import dev.tersor.tensor.Tensor;
import java.util.Locale;

/** Counting zeros for reports. */
final class Sparsity {
    private Sparsity() {
    }

    /** Fraction of entries equal to 0. */
    static double of(Tensor t) {
        float[] v = t.contiguous().toArray();
        long z = 0;
        for (float x : v) if (x == 0f) z++;
        return v.length == 0 ? 0 : (double) z / v.length;
    }

    /** {@code "90.0%"}. */
    static String percent(Tensor t) {
        return String.format(Locale.ROOT, "%.1f%%", 100 * of(t));
    }
}
