package dev.tersor.nn.adder;

import dev.tersor.nn.Module;
import dev.tersor.tensor.Tensor;
import java.util.Arrays;

/**
 * AdderSR's identity shortcut around an adder layer (Song et al., arXiv 2009.08891):
 * {@code y = x + body(x)}. An adder layer alone cannot represent the identity mapping that
 * super-resolution networks rely on (its response is a distance, never {@code x} itself); with
 * the shortcut it only has to learn the residual. {@code body} must keep the shape (e.g. an
 * {@link AdderConv2d} with stride 1 and padding {@code (k − 1)/2}); it is registered as
 * {@code body}, so its weight's state-dict key is {@code body.weight}.
 * <pre>{@code
 * var block = new AdderResidual(64, 3);                 // x + AdderConv2d(64, 64, 3, 1, 1)(x)
 * }</pre>
 */
public class AdderResidual extends Module {

    /** {@code y = x + body(x)}. */
    public AdderResidual(Module body) {
        register("body", body);
    }

    /** Around a shape-keeping {@link AdderConv2d}: {@code channels → channels}, odd kernel, stride 1, padding (k − 1)/2. */
    public AdderResidual(int channels, int kernel) {
        this(checkedConv(channels, kernel));
    }

    private static AdderConv2d checkedConv(int channels, int kernel) {
        if (kernel <= 0 || kernel % 2 == 0) {
            throw new IllegalArgumentException("AdderResidual: the kernel must be odd to keep the shape, got " + kernel);
        }
        return new AdderConv2d(channels, channels, kernel, 1, (kernel - 1) / 2);
    }

    /** The wrapped layer. */
    public Module body() {
        return child("body");
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor y = child("body").call(x);
        if (!Arrays.equals(x.shape(), y.shape())) {
            throw new IllegalArgumentException("AdderResidual: the body maps " + Arrays.toString(x.shape()) + " to "
                    + Arrays.toString(y.shape()) + "; the identity shortcut needs the same shape");
        }
        return x.add(y);
    }
}
