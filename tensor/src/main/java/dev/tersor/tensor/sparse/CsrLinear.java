package dev.tersor.tensor.sparse;

import dev.tersor.tensor.Tensor;
import java.util.Arrays;

/**
 * {@code y = x·Wᵀ + b} with W [out, in] held as a {@link CsrMatrix}: x [..., in] → y [..., out],
 * {@code nnz} multiply-adds per sample where the dense layer does {@code out·in}. Up to
 * {@value #DOT_MAX_ROWS} samples, each output is a gathered dot product over its row's nonzeros
 * ({@link CsrProduct} with one column); larger batches transpose x to [in, N] once so that every
 * nonzero adds {@code v · xᵀ[col, :]} to a whole output row (unit stride, SIMD), then transpose
 * back. Inference only: nothing is recorded for autograd.
 */
public final class CsrLinear {
    /** Most samples that take the gathered dot product. */
    static final int DOT_MAX_ROWS = 4;
    private final CsrMatrix weight;
    private final float[] bias;

    private CsrLinear(CsrMatrix weight, float[] bias) {
        this.weight = weight;
        this.bias = bias;
    }

    /** A layer from W [out, in] in CSR form and an optional bias [out] (copied). */
    public static CsrLinear of(CsrMatrix weight, float[] bias) {
        if (bias != null && bias.length != weight.rows()) {
            throw new IllegalArgumentException("CsrLinear: bias has " + bias.length + " values, expected " + weight.rows());
        }
        return new CsrLinear(weight, bias == null ? null : bias.clone());
    }

    /** x [..., in] → y [..., out]. */
    public Tensor apply(Tensor x) {
        int in = weight.cols(), out = weight.rows();
        if (x.dim() < 1 || x.size(-1) != in) {
            throw new IllegalArgumentException("CsrLinear: input " + Arrays.toString(x.shape()) + " must end in " + in + " features");
        }
        int[] shape = x.shape();
        shape[shape.length - 1] = out;
        Tensor xc = x.detach().contiguous();
        int n = xc.numel() / in;
        Tensor y = Tensor.zeros(shape);
        float[] xs = xc.data(), ys = y.data();
        if (n <= DOT_MAX_ROWS) {
            CsrProduct.multiply(weight, xs, xc.dataOffset(), in, ys, 0, out, 1, n);
        } else {
            float[] xt = new float[in * n], yt = new float[out * n];
            transpose(xs, xc.dataOffset(), n, in, xt);
            CsrProduct.multiply(weight, xt, 0, 0, yt, 0, 0, n, 1);
            transpose(yt, 0, out, n, ys);
        }
        if (bias != null) {
            for (int s = 0; s < n; s++) for (int o = 0; o < out; o++) ys[s * out + o] += bias[o];
        }
        return y;
    }

    /** dst [cols, rows] = src [rows, cols]ᵀ. */
    private static void transpose(float[] src, int off, int rows, int cols, float[] dst) {
        for (int r = 0; r < rows; r++) {
            int s = off + r * cols;
            for (int c = 0; c < cols; c++) dst[c * rows + r] = src[s + c];
        }
    }

    /** The CSR weight [out, in]. */
    public CsrMatrix weight() {
        return weight;
    }
}
