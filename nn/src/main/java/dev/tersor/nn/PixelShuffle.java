package dev.tersor.nn;

import dev.tersor.tensor.Functional;
import dev.tersor.tensor.Tensor;

/** Rearranges [N, C·r², H, W] into [N, C, H·r, W·r] (sub-pixel upsampling). */
public class PixelShuffle extends Module {
    private final int factor;

    /** Upscale factor r. */
    public PixelShuffle(int upscaleFactor) {
        if (upscaleFactor <= 0) throw new IllegalArgumentException("PixelShuffle: factor must be positive, got " + upscaleFactor);
        this.factor = upscaleFactor;
    }

    @Override
    public Tensor forward(Tensor x) {
        return Functional.pixelShuffle(x, factor);
    }

    @Override
    protected String extraRepr() {
        return "upscale_factor=" + factor;
    }
}
