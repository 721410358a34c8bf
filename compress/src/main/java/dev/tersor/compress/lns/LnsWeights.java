package dev.tersor.compress.lns;

import dev.tersor.nn.Parameter;
import dev.tersor.nn.binary.BinaryOptions;
import dev.tersor.nn.binary.WeightScale;
import dev.tersor.tensor.Tensor;

/** What {@link LnsConv2d} and {@link LnsLinear} share. */
final class LnsWeights {
    private LnsWeights() {
    }

    static void checkOptions(String layer, BinaryOptions opts) {
        if (opts.rotation()) throw new IllegalArgumentException(layer + ": LNS replaces the binarization; RBNN rotation must be off");
    }

    static Tensor mapped(FilterMapping mapping, Tensor w, int out, int fanIn) {
        return mapping.call(w.reshape(out, fanIn));
    }

    /** sign(t) reshaped as W, with the straight-through backward. */
    static Tensor signs(Tensor t, int[] weightShape) {
        return MappedSign.apply(t).reshape(weightShape);
    }

    /** α as {@code BinaryLayer.scale()}: the same float operations, so packed outputs match. */
    static Tensor scale(BinaryOptions opts, Tensor w, Parameter alpha, int out, int fanIn, int[] channelShape) {
        if (opts.scale() == WeightScale.MEAN_ABS) return w.reshape(out, fanIn).abs().mean(new int[] {1}, false).reshape(channelShape);
        if (opts.scale() == WeightScale.LEARNED) return alpha.value();
        return null;
    }

    static Tensor loss(Tensor t, Tensor w, LnsConfig c) {
        Tensor labels;
        try (var g = Tensor.noGrad()) {
            labels = w.reshape(t.shape()).ge(0f).mul(2f).sub(1f);
        }
        return NoisySupervision.loss(t, labels, c.rhoPositive(), c.rhoNegative(), c.loss());
    }

    static double flips(Tensor t, Tensor w) {
        try (var g = Tensor.noGrad()) {
            return t.ge(0f).ne(w.reshape(t.shape()).ge(0f)).mean().item();
        }
    }

    /** The options of the fixed layer: α learned (= the α now) in place of mean |W|, which the ±1 latent weights would change. */
    static BinaryOptions fixedOptions(BinaryOptions opts) {
        return opts.scale() == WeightScale.MEAN_ABS ? opts.withScale(WeightScale.LEARNED) : opts;
    }

    static void copyFixed(Tensor signs, float[] alpha, Parameter bias, Parameter latent, Parameter fixedAlpha, Parameter fixedBias) {
        try (var g = Tensor.noGrad()) {
            latent.value().copyInPlace(signs);
            if (fixedAlpha != null) fixedAlpha.value().copyInPlace(Tensor.fromArray(alpha, fixedAlpha.shape()));
            if (bias != null) fixedBias.value().copyInPlace(bias.value());
        }
    }
}
