package dev.tersor.nn.data;

import dev.tersor.tensor.Tensor;
import java.util.Objects;

/**
 * One sample of a {@link Dataset}: an input (for images {@code [C, H, W]}) and its class label.
 *
 * @param input the sample, never null
 * @param label the class index, {@code >= 0}
 */
public record Example(Tensor input, int label) {
    public Example {
        Objects.requireNonNull(input, "input");
        if (label < 0) throw new IllegalArgumentException("label must be >= 0, got " + label);
    }
}
