package dev.tersor.nn.adder;

import dev.tersor.nn.BatchNorm2d;
import dev.tersor.nn.Module;
import dev.tersor.tensor.Conv2dOptions;
import dev.tersor.tensor.Tensor;
import dev.tersor.tensor.lowbit.AdderBackward;
import java.util.Arrays;

/**
 * AdderSR's replacement for a shape-keeping 3×3 convolution of a super-resolution body (Song et
 * al., arXiv 2009.08891): an adder layer with its self-shortcut, then the learnable power
 * activation,
 * <pre>
 * y = P(x + BN(x ⊕ W)),     P(v) = sign(v)·|v|^α      x, y: [N, C, H, W]
 * </pre>
 * where {@code x ⊕ W} is {@link AdderConv2d} ({@code −Σ|x − W|}, 3×3, stride 1, padding 1, no
 * bias). The shortcut lets the unit represent the identity mapping (an adder response alone is
 * a distance and cannot), and P, starting at α = 1 (the identity), can sharpen (α &gt; 1) or
 * flatten the features. The batch norm brings the adder response, a sum of C·9 absolute
 * differences in the thousands, to the scale of {@code x} so that the shortcut is not drowned
 * (AdderNet puts one after every adder layer; with its running statistics it is a per-channel
 * affine map at inference, so tiled inference stays exact).
 * Keys: {@code adder.weight}, {@code bn.{weight, bias, running_mean, running_var, num_batches_tracked}},
 * {@code act.alpha}.
 */
public class AdderSrConv extends Module {
    private final int channels;

    /** {@code channels → channels}, the AdderNet gradient rules with η = 0.2. */
    public AdderSrConv(int channels) {
        this(channels, AdderBackward.ADDERNET);
    }

    /** {@code channels → channels} with the given adder gradient rule. */
    public AdderSrConv(int channels, AdderBackward backward) {
        if (channels < 1) throw new IllegalArgumentException("AdderSrConv: channels must be positive, got " + channels);
        this.channels = channels;
        register("adder", new AdderConv2d(channels, channels, 3, 3, Conv2dOptions.of(1, 1), false, backward));
        register("bn", new BatchNorm2d(channels));
        register("act", new PowerActivation());
    }

    /** The adder layer. */
    public AdderConv2d adder() {
        return (AdderConv2d) child("adder");
    }

    /** The power activation. */
    public PowerActivation activation() {
        return (PowerActivation) child("act");
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.dim() != 4 || x.size(1) != channels) {
            throw new IllegalArgumentException("AdderSrConv: expected [N, " + channels + ", H, W], got " + Arrays.toString(x.shape()));
        }
        Tensor r = child("bn").call(child("adder").call(x));
        return child("act").call(x.add(r));
    }

    @Override
    protected String extraRepr() {
        return channels + ", " + channels + ", kernel_size=(3, 3), shortcut, power activation";
    }
}
