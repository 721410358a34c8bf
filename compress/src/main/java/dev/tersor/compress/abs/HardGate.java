package dev.tersor.compress.abs;

import dev.tersor.tensor.Function;
import dev.tersor.tensor.Tensor;

/**
 * A binary gate learned through a straight-through gradient: {@code g = 1[s > 0]} forward (0 at
 * s = 0, same shape as s), and backward either the identity ({@link #of}, the plain
 * straight-through estimator) or the sigmoid's slope {@code σ'(s) = σ(s)(1 − σ(s))}
 * ({@link #sigmoidSlope}: the gradient of the relaxed gate σ(s), so only scores near the
 * threshold pass much gradient).
 */
final class HardGate extends Function {
    private final boolean sigmoid;

    private HardGate(boolean sigmoid) {
        this.sigmoid = sigmoid;
    }

    /** {@code 1[s > 0]} elementwise, with the identity as its gradient. */
    static Tensor of(Tensor s) {
        return new HardGate(false).apply(s);
    }

    /** {@code 1[s > 0]} elementwise, with {@code σ'(s)} as its gradient. */
    static Tensor sigmoidSlope(Tensor s) {
        return new HardGate(true).apply(s);
    }

    @Override
    protected Tensor forward(Context ctx, Tensor... in) {
        ctx.save(in[0]);
        float[] s = in[0].contiguous().toArray();
        float[] g = new float[s.length];
        for (int i = 0; i < s.length; i++) g[i] = s[i] > 0f ? 1f : 0f;
        return Tensor.fromArray(g, in[0].shape());
    }

    @Override
    protected Tensor[] backward(Context ctx, Tensor grad) {
        if (!sigmoid) return new Tensor[] {grad};
        Tensor p = ctx.saved(0).sigmoid();
        return new Tensor[] {grad.mul(p.mul(p.neg().add(1f)))};
    }
}
