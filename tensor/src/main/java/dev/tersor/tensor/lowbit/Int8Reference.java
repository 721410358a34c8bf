package dev.tersor.tensor.lowbit;

import dev.tersor.tensor.Conv2dOptions;

/**
 * The int8 inference contract written as plain loops: the test oracle of {@link Int8Linear} and
 * {@link Int8Conv2d} (every kernel must equal it bit for bit), as {@code ScalarBackend} is for
 * the float ops. Nothing here is fast.
 * <pre>
 * xq[i]   = input.quantize(x[i])                                   (Int8Input)
 * acc[o]  = Σ_k (xq[k] − zp) · w[o, k]                             int32; padding reads xq = zp
 * mult[o] = input.scale() · weightScale[o]                         float (weightScale of length 1: shared)
 * y[o]    = (float) acc[o] · mult[o] + bias[o]                     float multiply, then float add (no FMA);
 *                                                                   a null bias adds 0f
 * y[o]    = max(y[o], 0)                                           when relu
 * </pre>
 * The sum is exact in int32 (each product is at most 255·128 in magnitude; a reduction longer
 * than 65,793 could wrap, and wraps identically in every summation order).
 */
public final class Int8Reference {
    private Int8Reference() {
    }

    /** The epilogue: {@code (float) acc · mult + bias}, then ReLU when asked. */
    public static float output(int acc, float mult, float bias, boolean relu) {
        float y = (float) acc * mult;
        y = y + bias;
        return relu ? Math.max(y, 0f) : y;
    }

    /** {@code input.scale() · weightScale[o]} for o in [0, channels) (a length-1 weightScale is shared). */
    public static float[] multipliers(Int8Input input, float[] weightScale, int channels) {
        float[] m = new float[channels];
        for (int o = 0; o < channels; o++) m[o] = input.scale() * weightScale[weightScale.length == 1 ? 0 : o];
        return m;
    }

    /**
     * Linear layer on rows of x: x [rows, in] row-major → y [rows, out].
     *
     * @param weight int8 [out, in] row-major
     */
    public static float[] linear(float[] x, int rows, byte[] weight, int out, int in, float[] weightScale,
                                 Int8Input input, float[] bias, boolean relu) {
        float[] mult = multipliers(input, weightScale, out);
        float[] y = new float[rows * out];
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < out; o++) {
                int acc = 0;
                for (int k = 0; k < in; k++) acc += (input.quantize(x[r * in + k]) - input.zeroPoint()) * weight[o * in + k];
                y[r * out + o] = output(acc, mult[o], bias == null ? 0f : bias[o], relu);
            }
        }
        return y;
    }

    /**
     * Convolution of x [n, C, h, w] with weight [K, C/groups, kh, kw] → y [n, K, OH, OW]
     * (PyTorch's conv2d geometry: stride, zero padding, dilation, groups).
     */
    public static float[] conv2d(float[] x, int n, int c, int h, int w, byte[] weight, int[] weightShape,
                                 Conv2dOptions o, float[] weightScale, Int8Input input, float[] bias, boolean relu) {
        int k = weightShape[0], cg = weightShape[1], kh = weightShape[2], kw = weightShape[3];
        int kg = k / o.groups();
        int oh = (h + 2 * o.padH() - o.dilationH() * (kh - 1) - 1) / o.strideH() + 1;
        int ow = (w + 2 * o.padW() - o.dilationW() * (kw - 1) - 1) / o.strideW() + 1;
        float[] mult = multipliers(input, weightScale, k);
        float[] y = new float[n * k * oh * ow];
        for (int b = 0; b < n; b++) {
            for (int oc = 0; oc < k; oc++) {
                int g = oc / kg;
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        int acc = 0;
                        for (int ic = 0; ic < cg; ic++) {
                            for (int i = 0; i < kh; i++) {
                                for (int j = 0; j < kw; j++) {
                                    int iy = oy * o.strideH() - o.padH() + i * o.dilationH();
                                    int ix = ox * o.strideW() - o.padW() + j * o.dilationW();
                                    if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;   // padding: xq = zp
                                    int xq = input.quantize(x[((b * c + g * cg + ic) * h + iy) * w + ix]);
                                    acc += (xq - input.zeroPoint()) * weight[((oc * cg + ic) * kh + i) * kw + j];
                                }
                            }
                        }
                        y[((b * k + oc) * oh + oy) * ow + ox] = output(acc, mult[oc], bias == null ? 0f : bias[oc], relu);
                    }
                }
            }
        }
        return y;
    }
}
