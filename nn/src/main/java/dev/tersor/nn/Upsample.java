package dev.tersor.nn;

import dev.tersor.tensor.Functional;
import dev.tersor.tensor.InterpolationMode;
import dev.tersor.tensor.Tensor;

/** Resizes [N, C, H, W] by an integer scale factor, nearest or bilinear. */
public class Upsample extends Module {
    private final int scale;
    private final InterpolationMode mode;
    private final boolean alignCorners;

    /** Nearest-neighbour upsampling by {@code scale}. */
    public Upsample(int scale) {
        this(scale, InterpolationMode.NEAREST, false);
    }

    /** Upsampling by {@code scale} with the given mode (alignCorners only matters for bilinear). */
    public Upsample(int scale, InterpolationMode mode, boolean alignCorners) {
        if (scale <= 0) throw new IllegalArgumentException("Upsample: scale must be positive, got " + scale);
        this.scale = scale;
        this.mode = mode;
        this.alignCorners = alignCorners;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.dim() != 4) throw new IllegalArgumentException("Upsample: expected [N, C, H, W], got " + java.util.Arrays.toString(x.shape()));
        return Functional.interpolate(x, x.size(2) * scale, x.size(3) * scale, mode, alignCorners);
    }

    @Override
    protected String extraRepr() {
        return "scale_factor=" + scale + ", mode=" + mode.name().toLowerCase();
    }
}
