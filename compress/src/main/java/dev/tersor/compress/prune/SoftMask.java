package dev.tersor.compress.prune;

import dev.tersor.nn.BatchNorm1d;
import dev.tersor.nn.BatchNorm2d;
import dev.tersor.nn.Conv2d;
import dev.tersor.nn.Linear;
import dev.tersor.nn.Module;
import dev.tersor.nn.Parameter;
import dev.tersor.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * A soft mask (GAL's, Lin et al. CVPR 2019): one trainable scale m_k per output channel k of a
 * layer, 1 at the start, multiplying channel k of the output of the batch norm that directly
 * follows the layer (or of the layer itself when none does), y_k ← m_k·y_k. {@link #fold} removes
 * the hook and multiplies m_k into the parameters that produce y_k (the batch norm's γ_k and β_k,
 * else the layer's W[k] and b[k]), so the model computes exactly what it computed masked.
 */
final class SoftMask {
    private final String layer;
    private final Parameter m;
    private final ChannelSlices target;
    private final Module.HookHandle handle;

    private SoftMask(String layer, Module at, List<Parameter> foldInto, int channels) {
        this.layer = layer;
        this.m = new Parameter(Tensor.ones(channels));
        this.target = new ChannelSlices(foldInto, channels);
        this.handle = at.registerForwardHook((mod, x, y) -> y.mul(m.value().reshape(broadcast(y.dim(), channels))));
    }

    /**
     * Masks the output channels of {@code layer}, after {@code batchNorm} when not null.
     *
     * @return null when the mask could not be folded back exactly: no affine batch norm follows and
     *     the layer is not a Conv2d or Linear
     */
    static SoftMask attach(Module model, String layer, String batchNorm, int channels) {
        if (batchNorm != null) {
            Module bn = model.get(batchNorm);
            Parameter g = Criteria.batchNormWeight(bn);
            if (g == null) return null;
            return new SoftMask(layer, bn, List.of(g, bn instanceof BatchNorm2d b2 ? b2.bias() : ((BatchNorm1d) bn).bias()), channels);
        }
        Module l = model.get(layer);
        if (!(l instanceof Conv2d) && !(l instanceof Linear)) return null;
        return new SoftMask(layer, l, ownPerChannel(l, channels), channels);
    }

    /** The producing layer's path. */
    String layer() {
        return layer;
    }

    /** m (C values). */
    Parameter mask() {
        return m;
    }

    /** Removes the hook and multiplies m into the parameters before it. */
    void fold() {
        handle.close();
        float[] v = m.value().toArray();
        double[] f = new double[v.length];
        for (int k = 0; k < v.length; k++) f[k] = v[k];
        target.scale(f);
    }

    /** The parameters of {@code module} itself (not of its children) whose axis 0 runs over its {@code channels} outputs. */
    static List<Parameter> ownPerChannel(Module module, int channels) {
        List<Parameter> out = new ArrayList<>();
        for (var e : module.namedParameters().entrySet()) {
            int[] s = e.getValue().shape();
            if (!e.getKey().contains(".") && s.length > 0 && s[0] == channels) out.add(e.getValue());
        }
        return out;
    }

    private static int[] broadcast(int dims, int channels) {
        int[] shape = new int[dims];
        java.util.Arrays.fill(shape, 1);
        shape[1] = channels;
        return shape;
    }
}
