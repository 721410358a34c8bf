package dev.tersor.nn;

import dev.tersor.tensor.Functional;
import dev.tersor.tensor.Tensor;

/** Average pooling to a fixed output size [N, C, oh, ow] whatever the input size. */
public class AdaptiveAvgPool2d extends Module {
    private final int outH, outW;

    /** Square output {@code size × size} (1 for global average pooling). */
    public AdaptiveAvgPool2d(int size) {
        this(size, size);
    }

    /** Output {@code outH × outW}. */
    public AdaptiveAvgPool2d(int outH, int outW) {
        if (outH <= 0 || outW <= 0) throw new IllegalArgumentException("AdaptiveAvgPool2d: output size must be positive, got " + outH + "x" + outW);
        this.outH = outH;
        this.outW = outW;
    }

    @Override
    public Tensor forward(Tensor x) {
        return Functional.adaptiveAvgPool2d(x, outH, outW);
    }

    @Override
    protected String extraRepr() {
        return "output_size=(" + outH + ", " + outW + ")";
    }
}
