package dev.tersor.tensor.sparse;

import dev.tersor.tensor.Conv2dOptions;
import dev.tersor.tensor.Functional;
import dev.tersor.tensor.Tensor;
import java.util.Arrays;

/**
 * A 2-D convolution whose weight [K, C/g, kh, kw] is held as a {@link CsrMatrix} [K, C/g·kh·kw]
 * (PyTorch's conv2d geometry: stride, zero padding, dilation, groups g). For x [N, C, H, W]:
 * <pre>
 * cols[n] = unfold(x[n])                         [C·kh·kw, L],  L = H'·W'   (the float conv's columns)
 * y[n, k, :] = Σ_{p ∈ row k} w[p] · cols[n, g(k)·(C/g)·kh·kw + col[p], :] + bias[k]
 * </pre>
 * one {@link CsrProduct} per group, the N images batched in it: {@code nnz·L·N} multiply-adds
 * where the dense convolution does {@code K·(C/g)·kh·kw·L·N}. Inference only: nothing is recorded
 * for autograd.
 * <pre>{@code
 * CsrConv2d conv = CsrConv2d.of(CsrMatrix.fromDense(w, 16, 150), new int[] {16, 6, 5, 5}, Conv2dOptions.DEFAULT, bias);
 * Tensor y = conv.apply(x);     // x [N, 6, 14, 14] → y [N, 16, 10, 10]
 * }</pre>
 */
public final class CsrConv2d {
    private final CsrMatrix weight;
    private final CsrMatrix[] groups;   // rows of each group: [K/g, C/g·kh·kw]
    private final int[] shape;
    private final Conv2dOptions options;
    private final float[] bias;

    private CsrConv2d(CsrMatrix weight, int[] shape, Conv2dOptions options, float[] bias) {
        this.weight = weight;
        this.shape = shape;
        this.options = options;
        this.bias = bias;
        int g = options.groups(), per = shape[0] / g;
        groups = new CsrMatrix[g];
        for (int i = 0; i < g; i++) groups[i] = g == 1 ? weight : weight.rowRange(i * per, (i + 1) * per);
    }

    /**
     * A convolution of weight shape {@code shape} [K, C/g, kh, kw] from its CSR form
     * [K, C/g·kh·kw] and an optional bias [K] (copied).
     */
    public static CsrConv2d of(CsrMatrix weight, int[] shape, Conv2dOptions options, float[] bias) {
        if (shape == null || shape.length != 4) {
            throw new IllegalArgumentException("CsrConv2d: weight shape must be [K, C/groups, kh, kw], got " + Arrays.toString(shape));
        }
        for (int s : shape) if (s < 1) throw new IllegalArgumentException("CsrConv2d: weight shape " + Arrays.toString(shape) + " must be positive");
        if (options == null) throw new IllegalArgumentException("CsrConv2d: options are required");
        if (weight.rows() != shape[0] || (long) weight.cols() != (long) shape[1] * shape[2] * shape[3]) {
            throw new IllegalArgumentException("CsrConv2d: " + weight + " does not fit weight shape " + Arrays.toString(shape)
                    + " (expected [" + shape[0] + ", " + shape[1] * shape[2] * shape[3] + "])");
        }
        if (shape[0] % options.groups() != 0) {
            throw new IllegalArgumentException("CsrConv2d: " + shape[0] + " output channels do not divide by groups = " + options.groups());
        }
        if (bias != null && bias.length != shape[0]) {
            throw new IllegalArgumentException("CsrConv2d: bias has " + bias.length + " values, expected " + shape[0]);
        }
        return new CsrConv2d(weight, shape.clone(), options, bias == null ? null : bias.clone());
    }

    /** x [N, C, H, W] → y [N, K, H', W']. */
    public Tensor apply(Tensor x) {
        int cg = shape[1], kh = shape[2], kw = shape[3], g = options.groups(), k = shape[0];
        if (x.dim() != 4 || x.size(1) != cg * g) {
            throw new IllegalArgumentException("CsrConv2d: input " + Arrays.toString(x.shape()) + " must be [N, " + cg * g + ", H, W]");
        }
        int n = x.size(0);
        try (var scope = Tensor.noGrad()) {
            Tensor cols = Functional.unfold(x, kh, kw, options.withGroups(1)).contiguous();   // [N, C·kh·kw, L]
            int rows = cols.size(1), positions = cols.size(2), groupRows = cg * kh * kw;
            int oh = outSize(x.size(2), kh, options.strideH(), options.padH(), options.dilationH());
            int ow = outSize(x.size(3), kw, options.strideW(), options.padW(), options.dilationW());
            Tensor y = Tensor.zeros(n, k, oh, ow);
            float[] ys = y.data(), cs = cols.data();
            int per = k / g;
            for (int i = 0; i < g; i++) {
                CsrProduct.multiply(groups[i], cs, cols.dataOffset() + i * groupRows * positions, rows * positions,
                        ys, i * per * positions, k * positions, positions, n);
            }
            if (bias != null) {
                for (int b = 0; b < n; b++) {
                    for (int c = 0; c < k; c++) {
                        float v = bias[c];
                        for (int t = (b * k + c) * positions, end = t + positions; t < end; t++) ys[t] += v;
                    }
                }
            }
            return y;
        }
    }

    private static int outSize(int in, int kernel, int stride, int pad, int dilation) {
        return (in + 2 * pad - dilation * (kernel - 1) - 1) / stride + 1;
    }

    /** The CSR weight [K, C/g·kh·kw]. */
    public CsrMatrix weight() {
        return weight;
    }
}
