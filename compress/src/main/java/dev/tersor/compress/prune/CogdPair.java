package dev.tersor.compress.prune;

import dev.tersor.nn.Parameter;
import dev.tersor.tensor.Tensor;

/**
 * The bilinear pair of one layer in {@link Cogd}: its soft mask m (the sparse variable) and the
 * parameters A that produce the masked channels (the coupled variable). Around a plain
 * gradient-descent step of A: {@link #before} remembers m, ∂L/∂m and A; {@link #after} takes the
 * proximal step of m and the cogradient step of the asynchronous channels ({@link CogdStep}).
 */
final class CogdPair {
    private final SoftMask mask;
    private final ChannelSlices coupled;
    private float[] m0, grad0;

    CogdPair(SoftMask mask, ChannelSlices coupled) {
        if (mask.mask().numel() != coupled.channels()) {
            throw new IllegalArgumentException("CogdPair: " + mask.mask().numel() + " mask values for " + coupled.channels() + " channels");
        }
        this.mask = mask;
        this.coupled = coupled;
    }

    SoftMask mask() {
        return mask;
    }

    /** Call after backward, before the gradient step of A. */
    void before() {
        Parameter m = mask.mask();
        m0 = m.value().toArray();
        Tensor g = m.grad();
        grad0 = g == null ? new float[m0.length] : g.toArray();
        coupled.snapshot();
    }

    /**
     * Call after the gradient step of A: m ← S(m − η1·∂L/∂m, η1·λ), then A_k ← A_k − s_k·A_k⁻ for
     * every asynchronous channel.
     *
     * @return how many channels took the cogradient step
     */
    int after(double eta1, double eta2, double lambda, double tau) {
        if (m0 == null) throw new IllegalStateException("CogdPair: after() without before()");
        float[] m1 = CogdStep.mask(m0, grad0, eta1, lambda);
        try (var g = Tensor.noGrad()) {
            mask.mask().value().copyInPlace(Tensor.fromArray(m1, m1.length));
        }
        boolean[] async = CogdStep.asynchronous(m1, coupled.norms(), tau);
        double[] s = CogdStep.pull(async, m0, m1, grad0, lambda, coupled.steps(), eta2);
        coupled.pull(s);
        m0 = null;
        int n = 0;
        for (boolean b : async) if (b) n++;
        return n;
    }
}
