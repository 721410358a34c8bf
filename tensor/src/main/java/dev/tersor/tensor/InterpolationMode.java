package dev.tersor.tensor;

/** How {@link Functional#interpolate} computes an output pixel from the input grid. */
public enum InterpolationMode {
    /** The input pixel at {@code ⌊dst · in / out⌋} (PyTorch's {@code "nearest"}). */
    NEAREST,
    /** Weighted average of the four surrounding input pixels (PyTorch's {@code "bilinear"}). */
    BILINEAR
}
