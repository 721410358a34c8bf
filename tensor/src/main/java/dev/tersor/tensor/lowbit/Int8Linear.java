package dev.tersor.tensor.lowbit;

import dev.tersor.tensor.Tensor;
import dev.tersor.tensor.backend.Parallel;

/**
 * A fully connected layer on int8 weights and integer arithmetic, weights packed once. For float
 * x [..., in]:
 * <pre>
 * xq        = clamp(rint(x · (1f/s_x)) + zp, qmin, qmax)                      ({@link Int8Input})
 * acc[r, o] = Σ_i (xq[r, i] − zp) · W[o, i]                                      int32, exact
 * y[r, o]   = (float) acc · (s_x · weightScale[o]) + bias[o]                     float multiply, then add; no FMA
 * y[r, o]   = max(y, 0)                                                          when relu
 * </pre>
 * bit for bit as {@link Int8Reference#linear}, on every kernel and thread count. The quantization
 * of x happens inside {@link #apply}. With {@code weightScale} of length 1 every row shares it.
 *
 * <pre>{@code
 * Int8Linear fc = Int8Linear.pack(w, 120, 400, wScale, Int8Input.uint8(0.05f, 0), bias, true);
 * Tensor y = fc.apply(x);            // x [64, 400] float → y [64, 120] float
 * }</pre>
 *
 * How: the weights are packed into panels of 16 or 32 output channels; rows of x are quantized
 * into ints and multiplied by the {@link Int8Gemm} loops (int lanes, channels along the lanes,
 * rows split over threads, or the channel panels when there is a single row). From
 * {@value ExactFloatProduct#MIN_ROWS} rows on (or as a measured plan says: {@link Int8Paths}), when
 * the weights allow it, the same integers are multiplied by the float GEMM instead, exactly
 * ({@link ExactFloatProduct}).
 */
public final class Int8Linear {
    private final Int8Gemm gemm;
    private final Int8Input input;
    private final int in, out;
    private final float[] mult, bias;
    private final boolean relu;
    /** The last row count's shape as the plan cache names it (inference repeats one size; not rebuilt per call). */
    private volatile PlanShape planShape;

    private record PlanShape(int rows, String text) {
    }

    /** Whether batched calls may run the float product exactly ({@link ExactFloatProduct}). */
    private final boolean exactFloat;

    private Int8Linear(Int8Kernel kernel, byte[] weight, int out, int in, float[] weightScale, Int8Input input,
                       float[] bias, boolean relu) {
        if (out < 1 || in < 1) {
            throw new IllegalArgumentException("Int8Linear: features must be positive, got weight [" + out + ", " + in + "]");
        }
        if (weight == null || weight.length != (long) out * in) {
            throw new IllegalArgumentException("Int8Linear: weight has " + (weight == null ? "no" : weight.length)
                    + " values, shape [" + out + ", " + in + "] needs " + (long) out * in);
        }
        if (input == null) throw new IllegalArgumentException("Int8Linear: input quantization (Int8Input) is required");
        this.in = in;
        this.out = out;
        this.input = input;
        float[] mult = multipliers("Int8Linear", input, weightScale, out, "[" + out + ", " + in + "]");
        checkBias("Int8Linear", bias, out, "[" + out + ", " + in + "]");
        this.gemm = new Int8Gemm(kernel, weight, 1, out, in, mult, bias, relu);
        this.mult = mult;
        this.bias = bias == null ? new float[out] : bias.clone();
        this.relu = relu;
        this.exactFloat = ExactFloatProduct.exact(weight, out, in, input);
    }

    /**
     * Packs int8 weights for {@code y = linear(x)} as in the class comment.
     *
     * @param weight      int8 values row-major [outFeatures, inFeatures]
     * @param weightScale [outFeatures] per-channel scales, or length 1 for the whole tensor; positive, finite
     * @param input       how x is quantized
     * @param bias        [outFeatures] float, or null
     * @param relu        apply max(y, 0) last
     */
    public static Int8Linear pack(byte[] weight, int outFeatures, int inFeatures, float[] weightScale,
                                  Int8Input input, float[] bias, boolean relu) {
        return new Int8Linear(Int8Kernels.current(), weight, outFeatures, inFeatures, weightScale, input, bias, relu);
    }

    /** The same with a given kernel (tests compare the scalar and SIMD loops). */
    static Int8Linear pack(Int8Kernel kernel, byte[] weight, int outFeatures, int inFeatures, float[] weightScale,
                           Int8Input input, float[] bias, boolean relu) {
        return new Int8Linear(kernel, weight, outFeatures, inFeatures, weightScale, input, bias, relu);
    }

    /** x [..., in] float (quantized here, inside the call) → y [..., out] float. */
    public Tensor apply(Tensor x) {
        LinearRows r = LinearRows.of("Int8Linear", x, in, out);
        int rows = r.rows();
        Tensor src = r.src();
        int[] shape = r.outShape();
        PlanShape named = planShape;
        if (named == null || named.rows() != rows) planShape = named = new PlanShape(rows, "linear " + rows + "x" + in + "->" + out);
        Int8Paths.Path path = Int8Paths.choose(named.text(), exactFloat, rows >= ExactFloatProduct.MIN_ROWS,
                p -> run(src, rows, shape, p));
        return run(src, rows, shape, path);
    }

    /** The product of the contiguous input {@code src} ({@code rows} rows) on {@code path}, shaped {@code shape}. */
    private Tensor run(Tensor src, int rows, int[] shape, Int8Paths.Path path) {
        float[] xs = src.data();
        int xOff = src.dataOffset();
        if (path == Int8Paths.Path.FLOAT_PRODUCT) {
            Tensor d = ExactFloatProduct.centered(gemm.kernel, xs, xOff, new int[] {rows, in}, input);
            Tensor wt = ExactFloatProduct.scratch(ExactFloatProduct.WEIGHTS, in, out);
            gemm.widenTransposed(wt.data());
            wt.markModified();
            Tensor acc = d.matmul(wt);
            return ExactFloatProduct.requantize(acc, out, 1, mult, bias, relu).reshape(shape);
        }
        int[] d = new int[Math.toIntExact((long) rows * in + Int8Kernel.SLACK)];
        Parallel.forRange(rows, Math.max(1, (1 << 15) / in),
                (from, to) -> gemm.kernel.quantize(xs, xOff + from * in, (to - from) * in, input, d, from * in));
        int[] base = new int[rows], obase = new int[rows];
        for (int r = 0; r < rows; r++) {
            base[r] = r * in;
            obase[r] = r * out;
        }
        Tensor y = Tensor.zeros(shape);
        int[] koff = new int[in];
        for (int k = 0; k < in; k++) koff[k] = k;
        gemm.run(d, koff, 0, base, rows, obase, 1, y.data());
        y.markModified();
        return y;
    }

    /** Input features. */
    public int inFeatures() {
        return in;
    }

    /** Output features. */
    public int outFeatures() {
        return out;
    }

    /** Bytes of int8 weights: {@code out·in} (the packed copy pads the channels to its panel width). */
    public long weightBytes() {
        return (long) out * in;
    }

    /** The int8 weights [out, in] row-major, as packed (a new array, unpacked from the kernel's layout). */
    public byte[] weights() {
        return gemm.weights();
    }

    /** The loops in use: {@code "vector-i32x16"} (AVX-512), {@code "vector-i32x8"}, or {@code "scalar"}. */
    public String kernelName() {
        return gemm.kernel.name();
    }

    /** The per-channel multipliers {@code input.scale·weightScale[o]}; checks the scales. */
    static float[] multipliers(String op, Int8Input input, float[] weightScale, int channels, String shape) {
        if (weightScale == null || (weightScale.length != channels && weightScale.length != 1)) {
            throw new IllegalArgumentException(op + ": weightScale must have " + channels + " values (one per output channel of weight "
                    + shape + ") or 1, got " + (weightScale == null ? "null" : "[" + weightScale.length + "]"));
        }
        for (int i = 0; i < weightScale.length; i++) {
            if (!(weightScale[i] > 0) || !Float.isFinite(weightScale[i])) {
                throw new IllegalArgumentException(op + ": weightScale[" + i + "] must be positive and finite, got " + weightScale[i]);
            }
        }
        return Int8Reference.multipliers(input, weightScale, channels);
    }

    static void checkBias(String op, float[] bias, int channels, String shape) {
        if (bias != null && bias.length != channels) {
            throw new IllegalArgumentException(op + ": bias must have " + channels + " values (one per output channel of weight "
                    + shape + "), got [" + bias.length + "]");
        }
    }
}
