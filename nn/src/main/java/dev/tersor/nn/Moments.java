package dev.tersor.nn;

import dev.tersor.tensor.Tensor;

/** Mean and biased variance over axes, and the standardised input {@code (x − mean)/√(var + eps)}. */
record Moments(Tensor mean, Tensor var, Tensor normalized) {
    static Moments of(Tensor x, int[] axes, float eps) {
        Tensor mean = x.mean(axes, true);
        Tensor centred = x.sub(mean);
        Tensor var = centred.mul(centred).mean(axes, true);
        return new Moments(mean, var, centred.mul(var.add(eps).pow(-0.5f)));
    }

    /** Shape [1, C, 1, ...] for broadcasting a per-channel vector against an input of rank {@code rank}. */
    static int[] channelShape(int channels, int rank) {
        int[] s = new int[rank];
        java.util.Arrays.fill(s, 1);
        s[1] = channels;
        return s;
    }

    /** Every axis except 1 (the channel axis). */
    static int[] allButChannel(int rank) {
        int[] axes = new int[rank - 1];
        axes[0] = 0;
        for (int d = 2; d < rank; d++) axes[d - 1] = d;
        return axes;
    }
}
