package dev.tersor.tensor.lowbit;

import dev.tersor.tensor.Tensor;
import dev.tersor.tensor.backend.Parallel;
import java.util.Arrays;

/**
 * A binary fully connected layer on packed bits, weights packed once. For float input
 * x [..., in] and the signs of W [out, in] ({@code s(v) = v >= 0 ? +1 : −1}):
 * <pre>
 * dot[r, o] = Σ_i s(x[r, i])·s(W[o, i]) = in − 2·popcount(bits(x_r) XOR bits(W_o))
 * y[r, o]   = (float) dot · scale[o] + bias[o]       (each step only when given; no FMA)
 * </pre>
 * exactly {@code linear(sign(x), sign(W))} in float32 followed by the same multiply and add, so
 * the output equals the training-mode forward of a binary layer bit for bit. Rows of x are
 * packed inside {@link #apply} and split over {@link Parallel}.
 */
public final class XnorLinear {
    private final XnorKernel kernel;
    private final int in, out, words, accStride;
    /** Packed rows [out, words] in the kernel's layout. */
    private final long[] weights;
    private final float[] scale, bias;
    private static final int[] ONE_SEGMENT = {0};

    private XnorLinear(XnorKernel kernel, Tensor weight, float[] scale, float[] bias) {
        if (weight.dim() != 2) throw new IllegalArgumentException("XnorLinear: weight must be [out, in], got " + Arrays.toString(weight.shape()));
        this.kernel = kernel;
        this.out = weight.size(0);
        this.in = weight.size(1);
        this.scale = XnorConv2d.checkVector("scale", scale, out);
        this.bias = XnorConv2d.checkVector("bias", bias, out);
        this.words = PackedBits.words(in);
        this.accStride = kernel.accStride(out);
        this.weights = kernel.layout(PackedBits.packRows(weight.contiguous().toArray(), 0, out, in), out, words);
    }

    /**
     * Packs the signs of {@code weight} [out, in].
     *
     * @param scale per-output factor [out] applied after the dot product, or null
     * @param bias  per-output offset [out] added last, or null
     */
    public static XnorLinear pack(Tensor weight, float[] scale, float[] bias) {
        return new XnorLinear(XnorKernels.current(), weight, scale, bias);
    }

    /** The same with a given kernel (tests compare the scalar and SIMD loops). */
    static XnorLinear pack(XnorKernel kernel, Tensor weight, float[] scale, float[] bias) {
        return new XnorLinear(kernel, weight, scale, bias);
    }

    /** The XNOR loop in use. */
    public String kernelName() {
        return kernel.name();
    }

    /** Input features. */
    public int inFeatures() {
        return in;
    }

    /** Output features. */
    public int outFeatures() {
        return out;
    }

    /** Bytes of packed weights: {@code out·⌈in/64⌉·8}. */
    public long packedWeightBytes() {
        return (long) out * words * Long.BYTES;
    }

    /** x [..., in] (packed here, inside the call) → y [..., out]. */
    public Tensor apply(Tensor x) {
        LinearRows input = LinearRows.of("XnorLinear", x, in, out);
        int rows = input.rows();
        Tensor src = input.src();
        float[] xs = src.data();
        int xOff = src.dataOffset();
        Tensor y = Tensor.zeros(input.outShape());
        float[] ys = y.data();
        int grain = Math.max(4, (1 << 16) / Math.max(1, words * accStride));
        Parallel.forRange(rows, grain, (from, to) -> {
            int np = to - from;
            long[] act = PackedBits.packRows(xs, xOff + from * in, np, in);
            int[] acc = new int[np * accStride];
            kernel.accumulate(act, 0, words, np, ONE_SEGMENT, words, weights, out, acc);
            for (int r = 0; r < np; r++) {
                int dst = (from + r) * out;
                for (int o = 0; o < out; o++) {
                    float v = in - 2 * acc[r * accStride + o];
                    if (scale != null) v = v * scale[o];
                    if (bias != null) v = v + bias[o];
                    ys[dst + o] = v;
                }
            }
        });
        y.markModified();
        return y;
    }
}
