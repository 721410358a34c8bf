package dev.tersor.nn.adder;

import dev.tersor.nn.Module;
import dev.tersor.nn.Parameter;
import dev.tersor.tensor.Function;
import dev.tersor.tensor.Tensor;
import dev.tersor.tensor.backend.Parallel;

/**
 * AdderSR's learnable power activation (Song et al., arXiv 2009.08891):
 * {@code y = sign(x)·|x|^α} with one learnable α (the parameter {@code alpha}, shape [1],
 * 1 at the start, where the activation is the identity). It lets adder super-resolution
 * networks sharpen (α &gt; 1) or flatten (α &lt; 1) their features to recover high frequencies.
 * <pre>
 * ∂y/∂x = α·|x|^(α−1)               ∂y/∂α = sign(x)·|x|^α·ln|x| = y·ln|x|
 * </pre>
 * At {@code x = 0} the output is 0 and so is the α-gradient (its limit); the x-gradient is
 * its limit where it has one (1 for α = 1, 0 for α &gt; 1) and 0 for α &lt; 1, where the
 * derivative is unbounded, so that no infinity or NaN reaches training. Powers are computed in
 * double and rounded to float. α is not constrained; a negative α diverges at 0 like
 * {@code 1/x} (the output there is still defined as 0).
 */
public class PowerActivation extends Module {
    private final Parameter alpha;

    /** α starts at 1 (the identity). */
    public PowerActivation() {
        this(1f);
    }

    /** α starts at {@code alpha}. */
    public PowerActivation(float alpha) {
        if (!Float.isFinite(alpha)) throw new IllegalArgumentException("PowerActivation: alpha must be finite, got " + alpha);
        this.alpha = registerParameter("alpha", Tensor.full(alpha, 1));
    }

    /** α, shape [1]. */
    public Parameter alpha() {
        return alpha;
    }

    @Override
    public Tensor forward(Tensor x) {
        return new Power().apply(x, alpha.value());
    }

    @Override
    protected String extraRepr() {
        return "alpha=" + alpha.value().item();
    }

    /** {@code sign(x)·|x|^α} with its two gradients. */
    static final class Power extends Function {
        private static final int GRAIN = 1 << 13;

        @Override
        public String name() {
            return "power";
        }

        @Override
        protected Tensor forward(Context ctx, Tensor... in) {
            Tensor x = in[0].contiguous();
            float a = in[1].item();
            Tensor y = Tensor.zeros(x.shape());
            float[] xd = x.data(), yd = y.data();
            int xo = x.dataOffset(), yo = y.dataOffset();
            Parallel.forRange(x.numel(), GRAIN, (from, to) -> {
                for (int i = from; i < to; i++) {
                    float v = xd[xo + i];
                    yd[yo + i] = v == 0f ? 0f : (float) Math.copySign(Math.pow(Math.abs(v), a), v);
                }
            });
            ctx.save(x, in[1], y);
            return y;
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor grad) {
            Tensor x = ctx.saved(0), y = ctx.saved(2), g = grad.contiguous();
            float a = ctx.saved(1).item();
            float[] xd = x.data(), yd = y.data(), gd = g.data();
            int xo = x.dataOffset(), yo = y.dataOffset(), go = g.dataOffset(), n = x.numel();
            Tensor dx = null, da = null;
            if (ctx.needsInputGrad(0)) {
                dx = Tensor.zeros(x.shape());
                float[] d = dx.data();
                int dOff = dx.dataOffset();
                float atZero = a == 1f ? 1f : 0f;
                Parallel.forRange(n, GRAIN, (from, to) -> {
                    for (int i = from; i < to; i++) {
                        float v = xd[xo + i];
                        double slope = v == 0f ? atZero : a * Math.pow(Math.abs(v), a - 1.0);
                        d[dOff + i] = (float) (gd[go + i] * slope);
                    }
                });
            }
            if (ctx.needsInputGrad(1)) {
                double s = 0;
                for (int i = 0; i < n; i++) {
                    float v = xd[xo + i];
                    if (v != 0f) s += (double) gd[go + i] * yd[yo + i] * Math.log(Math.abs(v));
                }
                da = Tensor.full((float) s, 1);
            }
            return new Tensor[] {dx, da};
        }
    }
}
