package dev.tersor.nn.binary;

import dev.tersor.tensor.Function;
import dev.tersor.tensor.Tensor;

/** {@code y = |sin θ|}, RBNN's blend weight in [0, 1]; {@code dy/dθ = sign(sin θ)·cos θ}. */
final class AbsSin extends Function {

    static Tensor of(Tensor theta) {
        return new AbsSin().apply(theta);
    }

    @Override
    protected Tensor forward(Context ctx, Tensor... in) {
        ctx.save(in[0]);
        float[] t = in[0].contiguous().toArray();
        float[] y = new float[t.length];
        for (int i = 0; i < t.length; i++) y[i] = (float) Math.abs(Math.sin(t[i]));
        return Tensor.fromArray(y, in[0].shape());
    }

    @Override
    protected Tensor[] backward(Context ctx, Tensor g) {
        Tensor theta = ctx.saved(0);
        float[] t = theta.contiguous().toArray();
        float[] d = new float[t.length];
        for (int i = 0; i < t.length; i++) d[i] = (float) (Math.signum(Math.sin(t[i])) * Math.cos(t[i]));
        return new Tensor[] {g.mul(Tensor.fromArray(d, theta.shape()))};
    }
}
