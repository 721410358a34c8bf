package dev.tersor.tensor;

/** How {@link Functional#interpolate} computes an output pixel from the input grid. */
public enum InterpolationMode {
    /**
     * The input pixel at {@code ⌊dst · in / out⌋} (PyTorch's {@code "nearest"}); an axis of
     * unchanged size is copied and one of doubled size reads {@code dst/2}, forward and backward
     * (PyTorch 1.13 does so in its backward and one-channel forward, not in its forward over
     * several channels with a non-integer scale factor).
     */
    NEAREST,
    /**
     * Weighted average of the four surrounding input pixels (PyTorch's {@code "bilinear"}); an
     * axis whose size the scale factor leaves unchanged is copied, as PyTorch.
     */
    BILINEAR
}
