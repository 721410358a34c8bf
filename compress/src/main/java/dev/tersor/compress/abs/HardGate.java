package dev.tersor.compress.abs;

import dev.tersor.tensor.Function;
import dev.tersor.tensor.Tensor;

/**
 * A binary gate with a straight-through gradient: {@code g = 1[s > 0]} forward (0 at s = 0),
 * {@code ∂g/∂s = 1} backward, as ABS trains its gates (arXiv 2101.04935, §3.3: the gates are
 * indicator functions learned through the straight-through estimator). Same shape as s.
 */
final class HardGate extends Function {

    /** {@code 1[s > 0]} elementwise, with the identity as its gradient. */
    static Tensor of(Tensor s) {
        return new HardGate().apply(s);
    }

    @Override
    protected Tensor forward(Context ctx, Tensor... in) {
        float[] s = in[0].contiguous().toArray();
        float[] g = new float[s.length];
        for (int i = 0; i < s.length; i++) g[i] = s[i] > 0f ? 1f : 0f;
        return Tensor.fromArray(g, in[0].shape());
    }

    @Override
    protected Tensor[] backward(Context ctx, Tensor grad) {
        return new Tensor[] {grad};
    }
}
