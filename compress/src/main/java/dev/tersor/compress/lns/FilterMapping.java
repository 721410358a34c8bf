package dev.tersor.compress.lns;

import dev.tersor.nn.Linear;
import dev.tersor.nn.Module;
import dev.tersor.tensor.Tensor;

/**
 * LNS's binarization mapping: each filter's weights are mapped as a whole, not one by one.
 * [out, d] → [out, d], one row per filter (d = fan-in), shared by the filters of a layer:
 * <pre>
 * w̃ = w / mean|w|                    per row (scale-free input; mean|w| is also XNOR's α)
 * f(w) = w̃ + fc2(tanh(fc1(w̃)))      fc1: d → hidden, fc2: hidden → d, fc2 starts at zero
 * b = sign(f(w))
 * </pre>
 * With fc2 at zero, f starts as w̃ and the binary weights start as sign(W): LNS fine-tunes a
 * trained binary network from where it is. (The residual form, the tanh and the per-filter
 * normalisation are this implementation's choices.) State-dict names {@code fc1.*}, {@code fc2.*}.
 */
public final class FilterMapping extends Module {
    private final int features;

    /** A mapping of filters with {@code features} weights each through {@code hidden} units. */
    public FilterMapping(int features, int hidden) {
        if (features < 1 || hidden < 1) throw new IllegalArgumentException("FilterMapping: features and hidden must be >= 1, got " + features + ", " + hidden);
        this.features = features;
        register("fc1", new Linear(features, hidden));
        Linear fc2 = register("fc2", new Linear(hidden, features));
        try (var g = Tensor.noGrad()) {
            fc2.weight().value().zeroInPlace();
            fc2.bias().value().zeroInPlace();
        }
    }

    /** The weights per filter, d. */
    public int features() {
        return features;
    }

    /** The pre-sign values f(w) [out, d] of filters w [out, d]. */
    @Override
    public Tensor forward(Tensor w) {
        if (w.dim() != 2 || w.size(1) != features) {
            throw new IllegalArgumentException("FilterMapping: expected filters [out, " + features + "], got " + java.util.Arrays.toString(w.shape()));
        }
        Tensor normalized = w.div(w.abs().mean(new int[] {1}, true));
        return normalized.add(child("fc2").call(child("fc1").call(normalized).tanh()));
    }

    @Override
    protected String extraRepr() {
        return "features=" + features;
    }
}
