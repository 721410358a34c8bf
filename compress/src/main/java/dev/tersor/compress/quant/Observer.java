package dev.tersor.compress.quant;

import dev.tersor.tensor.Tensor;

/**
 * Collects statistics of the tensors flowing through a point of the network (activations during
 * calibration) and turns them into quantization parameters for a scheme. Observers see values
 * without recording gradients. A non-finite value is an {@link IllegalArgumentException}; the
 * caller names the layer.
 */
public interface Observer {

    /** Updates the statistics with {@code x} (any shape). */
    void observe(Tensor x);

    /** True once at least one tensor has been observed. */
    boolean hasData();

    /** The smallest and largest values the parameters will cover (for reports and tests). */
    float[] range();

    /** Per-tensor parameters for {@code scheme} from what has been observed. */
    default QParams qparams(QuantScheme scheme) {
        if (!hasData()) throw new IllegalStateException(getClass().getSimpleName() + ": nothing observed yet");
        float[] r = range();
        return scheme.qparams(r[0], r[1]);
    }

    /** Forgets everything observed. */
    void reset();

    /** Throws unless every element of {@code x} is finite; returns {min, max}. */
    static float[] finiteMinMax(Tensor x) {
        float lo = Float.POSITIVE_INFINITY, hi = Float.NEGATIVE_INFINITY;
        Tensor c = x.contiguous();            // read in place: no copy of a contiguous batch
        float[] v = c.data();
        int off = c.dataOffset(), n = c.numel();
        for (int i = 0; i < n; i++) {
            float f = v[off + i];
            if (!Float.isFinite(f)) throw new IllegalArgumentException("non-finite value " + f + " at element " + i);
            if (f < lo) lo = f;
            if (f > hi) hi = f;
        }
        if (n == 0) throw new IllegalArgumentException("cannot observe an empty tensor");
        return new float[] {lo, hi};
    }
}
