package dev.tersor.search;

import dev.tersor.nn.Module;
import dev.tersor.tensor.Tensor;

/**
 * The {@code none} op: x [N, C, H, W] → zeros [N, channels, ⌈H/stride⌉, ⌈W/stride⌉], the shape
 * every other candidate of the same choice gives. No parameters; no gradient reaches the input.
 */
public final class Zero extends Module {
    private final int channels, stride;

    /** Zeros with {@code channels} channels, spatially subsampled by {@code stride}. */
    public Zero(int channels, int stride) {
        if (channels < 1 || stride < 1) throw new IllegalArgumentException("Zero: channels and stride must be >= 1, got " + channels + ", " + stride);
        this.channels = channels;
        this.stride = stride;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.dim() != 4) throw new IllegalArgumentException("Zero: expected [N, C, H, W], got " + java.util.Arrays.toString(x.shape()));
        return Tensor.zeros(x.size(0), channels, (x.size(2) + stride - 1) / stride, (x.size(3) + stride - 1) / stride);
    }

    @Override
    protected String extraRepr() {
        return "channels=" + channels + ", stride=" + stride;
    }
}
