package dev.tersor.compress.prune;

import dev.tersor.nn.Conv2d;
import dev.tersor.nn.Module;
import dev.tersor.nn.adder.AdderConv2d;
import dev.tersor.nn.binary.BinaryConv2d;
import dev.tersor.tensor.Conv2dOptions;
import dev.tersor.tensor.Tensor;

/**
 * While tracing, a cut layer's output is replaced by a constant, so computing it on the real
 * input is wasted work: a convolution gets a zero input of the smallest spatial size it accepts
 * (one output position) instead. Other layers keep their input (null: no change).
 */
final class MinimalInput {
    private MinimalInput() {
    }

    /** A smallest input for {@code layer} with {@code x}'s batch and channels, or null to keep {@code x}. */
    static Tensor of(Module layer, Tensor x) {
        Conv2dOptions o = layer instanceof Conv2d c ? c.options()
                : layer instanceof AdderConv2d a ? a.options()
                : layer instanceof BinaryConv2d b ? b.options() : null;
        if (o == null || x.dim() != 4) return null;
        int[] w = layer.stateDict().get("weight").shape();
        int h = Math.max(1, o.dilationH() * (w[2] - 1) + 1 - 2 * o.padH()), wd = Math.max(1, o.dilationW() * (w[3] - 1) + 1 - 2 * o.padW());
        if (h >= x.size(2) && wd >= x.size(3)) return null;
        return Tensor.zeros(x.size(0), x.size(1), h, wd);
    }
}
