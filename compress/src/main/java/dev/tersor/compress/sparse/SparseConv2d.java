package dev.tersor.compress.sparse;

import dev.tersor.tensor.Conv2dOptions;
import dev.tersor.tensor.Functional;
import dev.tersor.tensor.Tensor;
import dev.tersor.tensor.sparse.CsrConv2d;

/**
 * Inference form of a pruned convolution, x [N, C, H, W] → [N, K, H', W']: only the nonzero
 * weights are stored (CSR or bitmask, {@link SparseFormat}); forward runs the CSR convolution
 * ({@link CsrConv2d}: the float conv's columns times the CSR weight) or, when that measured
 * slower than dense on the converting machine, the float convolution with the weight decoded
 * once. Holds no parameters: it is not trainable.
 */
public final class SparseConv2d extends SparseLayer {
    private final Conv2dOptions options;
    private final CsrConv2d kernel;
    private final Tensor denseWeight, denseBias;

    SparseConv2d(SparseWeights weights, Conv2dOptions options, boolean sparseCompute) {
        super(weights, sparseCompute);
        this.options = options;
        if (sparseCompute) {
            kernel = CsrConv2d.of(weights.csr, weights.shape, options, weights.bias);
            denseWeight = null;
            denseBias = null;
        } else {
            kernel = null;
            denseWeight = denseWeight();
            denseBias = denseBias();
        }
    }

    /** The same weights computing the other way. */
    SparseConv2d computing(boolean sparse) {
        return new SparseConv2d(weights, options, sparse);
    }

    /** Stride, padding, dilation and groups. */
    public Conv2dOptions options() {
        return options;
    }

    @Override
    public Tensor forward(Tensor x) {
        return kernel != null ? kernel.apply(x) : Functional.conv2d(x, denseWeight, denseBias, options);
    }

    @Override
    public long multiplyAccumulates(Tensor in, Tensor out) {
        return out.numel() * macsPerOutput();
    }

    @Override
    protected String extraRepr() {
        int[] s = weights.shape;
        return s[1] * options.groups() + ", " + s[0] + ", kernel_size=(" + s[2] + ", " + s[3] + "), " + options + ", " + sparseText();
    }
}
