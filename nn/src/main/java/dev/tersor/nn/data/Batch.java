package dev.tersor.nn.data;

import dev.tersor.tensor.IntTensor;
import dev.tersor.tensor.Tensor;
import java.util.Arrays;
import java.util.Objects;

/**
 * A mini-batch: inputs {@code [N, ...]} (images {@code [N, C, H, W]}) and labels {@code [N]}.
 *
 * @param inputs the stacked samples
 * @param labels one class index per sample
 */
public record Batch(Tensor inputs, IntTensor labels) {
    public Batch {
        Objects.requireNonNull(inputs, "inputs");
        Objects.requireNonNull(labels, "labels");
        int[] s = inputs.shape();
        if (s.length == 0 || labels.dim() != 1 || labels.size(0) != s[0]) {
            throw new IllegalArgumentException("batch inputs " + Arrays.toString(s) + " and labels "
                    + Arrays.toString(labels.shape()) + " disagree: expected labels [N] for inputs [N, ...]");
        }
    }

    /** Number of samples N. */
    public int size() {
        return labels.size(0);
    }
}
