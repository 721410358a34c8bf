package dev.tersor.nn.binary;

import dev.tersor.tensor.Function;
import dev.tersor.tensor.Tensor;

/**
 * {@code sign()} with a selectable backward: forward {@code x >= 0 ? +1 : −1} (zero maps to
 * +1, as the packed kernels' bit {@code x >= 0}; NaN to −1), backward {@code g·F'(x)} with F'
 * from {@link SignGradient}.
 * <pre>{@code
 * Tensor b = BinarySign.apply(x, SignGradient.APPROX_SIGN);         // ±1, same shape as x
 * Tensor r = BinarySign.apply(x, SignGradient.RBNN, 0.1f, 10f);     // t = 0.1, k = 10
 * }</pre>
 */
public final class BinarySign extends Function {
    private final SignGradient gradient;
    private final float t, k;

    private BinarySign(SignGradient gradient, float t, float k) {
        this.gradient = gradient;
        this.t = t;
        this.k = k;
    }

    /** ±1 signs of x with the given backward (RBNN with t = k = 1). */
    public static Tensor apply(Tensor x, SignGradient gradient) {
        return apply(x, gradient, 1f, 1f);
    }

    /** ±1 signs of x with the given backward; t and k parameterise {@link SignGradient#RBNN}. */
    public static Tensor apply(Tensor x, SignGradient gradient, float t, float k) {
        if (gradient == null) throw new IllegalArgumentException("BinarySign: gradient rule must not be null");
        return new BinarySign(gradient, t, k).apply(x);
    }

    /** The forward alone, as a new tensor of ±1 (no graph). */
    public static Tensor signs(Tensor x) {
        return x.ge(0f).mul(2f).sub(1f);
    }

    @Override
    public String name() {
        return "BinarySign[" + gradient + "]";
    }

    @Override
    protected Tensor forward(Context ctx, Tensor... in) {
        ctx.save(in[0]);
        return signs(in[0]);
    }

    @Override
    protected Tensor[] backward(Context ctx, Tensor g) {
        Tensor x = ctx.saved(0);
        Tensor d;
        switch (gradient) {
            case STE:
                d = x.abs().le(1f);
                break;
            case APPROX_SIGN:
                d = x.abs().neg().add(1f).relu().mul(2f);
                break;
            default:
                Tensor th = x.mul(t).tanh();
                d = th.mul(th).neg().add(1f).mul(k * t);
                break;
        }
        return new Tensor[] {g.mul(d)};
    }
}
