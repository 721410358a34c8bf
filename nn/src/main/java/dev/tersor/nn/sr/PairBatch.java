package dev.tersor.nn.sr;

import dev.tersor.tensor.Tensor;
import java.util.Arrays;
import java.util.Objects;

/**
 * A mini-batch of super-resolution pairs, values in [0, 1].
 *
 * @param lr the inputs {@code [N, C, h, w]}
 * @param hr the targets {@code [N, C, s·h, s·w]}
 */
public record PairBatch(Tensor lr, Tensor hr) {
    public PairBatch {
        Objects.requireNonNull(lr, "lr");
        Objects.requireNonNull(hr, "hr");
        int[] a = lr.shape();
        int[] b = hr.shape();
        if (a.length != 4 || b.length != 4 || a[0] != b[0] || a[1] != b[1]) {
            throw new IllegalArgumentException("pair batch LR " + Arrays.toString(a) + " and HR " + Arrays.toString(b)
                    + " disagree: expected [N, C, h, w] and [N, C, H, W]");
        }
    }

    /** Number of pairs N. */
    public int size() {
        return lr.shape()[0];
    }
}
