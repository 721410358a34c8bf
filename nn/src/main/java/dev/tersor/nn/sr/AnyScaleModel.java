package dev.tersor.nn.sr;

import dev.tersor.tensor.Tensor;

/** A super-resolution model that takes the scale per call (Meta-SR): RGB {@code [N, 3, h, w]} in [0, 255] → {@code [N, 3, ⌊s·h⌋, ⌊s·w⌋]}. */
public interface AnyScaleModel {
    /** The SR of {@code x} by {@code scale}. */
    Tensor forward(Tensor x, double scale);
}
