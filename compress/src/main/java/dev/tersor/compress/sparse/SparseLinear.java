package dev.tersor.compress.sparse;

import dev.tersor.tensor.Functional;
import dev.tersor.tensor.Tensor;
import dev.tersor.tensor.sparse.CsrLinear;

/**
 * Inference form of a pruned linear layer x [..., in] → [..., out]: only the nonzero weights are
 * stored; forward runs {@link CsrLinear} or, when that measured slower than dense, the float
 * linear layer with the weight decoded once. Not trainable.
 */
public final class SparseLinear extends SparseLayer {
    private final CsrLinear kernel;
    private final Tensor denseWeight, denseBias;

    SparseLinear(SparseWeights weights, boolean sparseCompute) {
        super(weights, sparseCompute);
        if (sparseCompute) {
            kernel = CsrLinear.of(weights.csr, weights.bias);
            denseWeight = null;
            denseBias = null;
        } else {
            kernel = null;
            denseWeight = denseWeight();
            denseBias = denseBias();
        }
    }

    /** The same weights computing the other way. */
    SparseLinear computing(boolean sparse) {
        return new SparseLinear(weights, sparse);
    }

    @Override
    public Tensor forward(Tensor x) {
        return kernel != null ? kernel.apply(x) : Functional.linear(x, denseWeight, denseBias);
    }

    @Override
    public long multiplyAccumulates(Tensor in, Tensor out) {
        return out.numel() * macsPerOutput();
    }

    @Override
    protected String extraRepr() {
        return "in_features=" + weights.csr.cols() + ", out_features=" + weights.csr.rows() + ", " + sparseText();
    }
}
