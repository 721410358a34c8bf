package dev.tersor.tensor.lowbit;

import dev.tersor.tensor.Functional;
import dev.tersor.tensor.Tensor;
import dev.tersor.tensor.backend.Parallel;

/**
 * A fully connected layer on int8 weights and float activations (weight-only quantization), the
 * weights held as one byte each. For float x [..., in]:
 * <pre>
 * y[r, o] = weightScale[o] · Σ_i x[r, i] · W[o, i] + bias[o]        float
 * </pre>
 * the float product of the dequantized weights {@code W·s}, up to the order of rounding (no
 * integer reference: the activations are not quantized).
 *
 * <pre>{@code
 * Int8WeightOnlyLinear fc = Int8WeightOnlyLinear.pack(w, 120, 400, wScale, bias);
 * Tensor y = fc.apply(x);            // x [1, 400] float → y [1, 120] float
 * }</pre>
 *
 * How: below {@value #MIN_ROWS} rows each row of x is multiplied against the int8 rows directly,
 * the bytes widened to float lanes in registers ({@link Int8Kernel#weightDots}), output channels
 * split over the threads: on a memory-bound batch-1 layer this reads a quarter of the float
 * weights' bytes. From {@value #MIN_ROWS} rows on (compute-bound) the weights are dequantized
 * into a per-thread scratch buffer and the float GEMM runs; the layer still holds a byte per weight.
 */
public final class Int8WeightOnlyLinear {
    /** Rows of x from which the dequantized weights go through the float GEMM. */
    static final int MIN_ROWS = 32;

    private final Int8Kernel kernel;
    private final byte[] weight;
    private final float[] scale, bias;
    private final Tensor biasTensor;
    private final int in, out;

    private Int8WeightOnlyLinear(Int8Kernel kernel, byte[] weight, int out, int in, float[] weightScale, float[] bias) {
        if (out < 1 || in < 1) {
            throw new IllegalArgumentException("Int8WeightOnlyLinear: features must be positive, got weight [" + out + ", " + in + "]");
        }
        if (weight == null || weight.length != (long) out * in) {
            throw new IllegalArgumentException("Int8WeightOnlyLinear: weight has " + (weight == null ? "no" : weight.length)
                    + " values, shape [" + out + ", " + in + "] needs " + (long) out * in);
        }
        String shape = "[" + out + ", " + in + "]";
        Int8Linear.multipliers("Int8WeightOnlyLinear", Int8Input.int8(1f, 0), weightScale, out, shape);   // checks the scales
        Int8Linear.checkBias("Int8WeightOnlyLinear", bias, out, shape);
        this.kernel = kernel;
        this.weight = weight.clone();
        this.scale = new float[out];
        for (int o = 0; o < out; o++) scale[o] = weightScale[weightScale.length == 1 ? 0 : o];
        this.bias = bias == null ? new float[out] : bias.clone();
        this.biasTensor = Tensor.fromArray(this.bias.clone(), out);
        this.in = in;
        this.out = out;
    }

    /**
     * Holds int8 weights for {@code y = linear(x)} as in the class comment.
     *
     * @param weight      int8 values row-major [outFeatures, inFeatures] (copied)
     * @param weightScale [outFeatures] per-channel scales, or length 1 for the whole tensor; positive, finite
     * @param bias        [outFeatures] float, or null
     */
    public static Int8WeightOnlyLinear pack(byte[] weight, int outFeatures, int inFeatures, float[] weightScale, float[] bias) {
        return new Int8WeightOnlyLinear(Int8Kernels.current(), weight, outFeatures, inFeatures, weightScale, bias);
    }

    /** The same with a given kernel (tests compare the scalar and SIMD loops). */
    static Int8WeightOnlyLinear pack(Int8Kernel kernel, byte[] weight, int outFeatures, int inFeatures, float[] weightScale, float[] bias) {
        return new Int8WeightOnlyLinear(kernel, weight, outFeatures, inFeatures, weightScale, bias);
    }

    /** x [..., in] float → y [..., out] float; gradients are not recorded (an inference layer). */
    public Tensor apply(Tensor x) {
        LinearRows r = LinearRows.of("Int8WeightOnlyLinear", x, in, out);
        return r.rows() >= MIN_ROWS ? dequantizedProduct(r.src(), r.rows(), r.outShape()) : direct(r.src(), r.rows(), r.outShape());
    }

    private Tensor direct(Tensor src, int rows, int[] shape) {
        float[] xs = src.data();
        int xOff = src.dataOffset();
        Tensor y = Tensor.zeros(shape);
        float[] ys = y.data();
        int grain = Math.max(4, (1 << 14) / in);
        for (int r = 0; r < rows; r++) {
            int xo = xOff + r * in, yo = r * out;
            Parallel.forRange(out, grain, (o0, o1) -> {
                kernel.weightDots(weight, in, o0, o1, xs, xo, ys, yo + o0);
                for (int o = o0; o < o1; o++) ys[yo + o] = ys[yo + o] * scale[o] + bias[o];
            });
        }
        y.markModified();
        return y;
    }

    private Tensor dequantizedProduct(Tensor src, int rows, int[] shape) {
        Tensor w = ExactFloatProduct.scratch(ExactFloatProduct.WEIGHTS, out, in);
        float[] ws = w.data();
        Parallel.forRange(out, Math.max(1, (1 << 14) / in), (o0, o1) -> {
            for (int o = o0; o < o1; o++) {
                float s = scale[o];
                for (int i = o * in, end = i + in; i < end; i++) ws[i] = weight[i] * s;
            }
        });
        w.markModified();
        try (var g = Tensor.noGrad()) {
            return Functional.linear(src.reshape(rows, in), w, biasTensor).reshape(shape);
        }
    }

    /** Input features. */
    public int inFeatures() {
        return in;
    }

    /** Output features. */
    public int outFeatures() {
        return out;
    }

    /** Bytes of int8 weights held: {@code out·in}. */
    public long weightBytes() {
        return weight.length;
    }

    /** The int8 weights [out, in] row-major (a copy). */
    public byte[] weights() {
        return weight.clone();
    }

    /** The loops in use: {@code "vector-i32x16"} (AVX-512), {@code "vector-i32x8"}, or {@code "scalar"}. */
    public String kernelName() {
        return kernel.name();
    }
}
