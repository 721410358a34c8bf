package dev.tersor.compress.lns;

import dev.tersor.tensor.Function;
import dev.tersor.tensor.Tensor;

/**
 * {@code sign} of the mapping's output with a straight-through backward: forward
 * {@code t >= 0 ? +1 : −1} (the binary layers' convention), backward the gradient unchanged.
 * The mapping's output is scale-free (about ±1 to ±3), so the clipped STE of the latent-weight
 * sign would stop the gradient for many weights; the plain STE passes it to the mapping.
 */
final class MappedSign extends Function {
    static Tensor apply(Tensor t) {
        return new MappedSign().apply(new Tensor[] {t});
    }

    @Override
    protected Tensor forward(Context ctx, Tensor... in) {
        return in[0].ge(0f).mul(2f).sub(1f);
    }

    @Override
    protected Tensor[] backward(Context ctx, Tensor g) {
        return new Tensor[] {g};
    }
}
