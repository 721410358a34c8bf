package dev.tersor.tensor.lowbit;

/**
 * The loops of integer inference, behind {@link Int8Gemm}, which splits an int8 layer into
 * tiles: {@code np ≤ tileRows} output positions × one panel of {@code width} output channels.
 * Weights are packed once into panels {@code [kr][width]} (channel fastest, int8); the
 * quantized input is an {@code int[]} of {@code xq − zp}, and a tile's columns are gathered into
 * {@code b [kr][rows]} (position fastest) before every panel of channels runs over them:
 * <pre>
 * gather  b[k·rows + r]   = d[koff[k] + kShift + base[q0 + r]]                  k &lt; kr, r &lt; np
 * tile    acc[r·width + j] = Σ_{k &lt; kr} b[k·rows + r] · w[wOff + k·width + j]   int32, j &lt; width
 * store   y[obase[q0 + r] + chOff[c0 + j]] = Int8Reference.output(acc[r·width + j], mult[c0 + j], bias[c0 + j], relu)
 *                                                                               j &lt; valid
 * </pre>
 * Implementations: {@link Int8ScalarKernel} (plain loops, any JVM) and {@code Int8VectorKernel}
 * (Vector API, found at run time by {@link Int8Kernels}). Every one must give the same bits;
 * integer sums are exact in any order, and the epilogue is the same float multiply then add.
 */
interface Int8Kernel {

    /** Ints that {@link #gather} may write past {@code kr·rows}, and {@link #gather} may read past the last index of d. */
    int SLACK = 64;

    /** A short name for reports: {@code "scalar"}, {@code "vector-i32x16"}. */
    String name();

    /** Output channels per weight panel for a group of {@code m} channels. */
    int panelWidth(int m);

    /** Positions per full tile for panels of {@code width} channels (the register block). */
    int tileRows(int width);

    /** {@code d[dOff + i] = in.quantize(x[xOff + i]) − in.zeroPoint()} for {@code i < n}. */
    void quantize(float[] x, int xOff, int n, Int8Input in, int[] d, int dOff);

    /** The same integers as {@link #quantize}, written as floats (for the exact float product). */
    default void quantizeToFloats(float[] x, int xOff, int n, Int8Input in, float[] d, int dOff) {
        int zp = in.zeroPoint();
        for (int i = 0; i < n; i++) d[dOff + i] = in.quantize(x[xOff + i]) - zp;
    }

    /**
     * Weight-only products, float activations against int8 weights: {@code dots[dOff + r − r0] =
     * Σ_{k < cols} x[xOff + k] · w[r·cols + k]} for {@code r in [r0, r1)} of w [rows, cols]
     * row-major, in float, in any summation order (kernels need not agree bit for bit).
     */
    default void weightDots(byte[] w, int cols, int r0, int r1, float[] x, int xOff, float[] dots, int dOff) {
        for (int r = r0; r < r1; r++) {
            float s = 0;
            for (int k = 0, wo = r * cols; k < cols; k++) s += x[xOff + k] * w[wo + k];
            dots[dOff + r - r0] = s;
        }
    }

    /** The gather step of the class comment; {@code b} holds {@code kr·rows + SLACK} ints. */
    void gather(int[] d, int[] koff, int kShift, int kr, int[] base, int q0, int np, int rows, int[] b);

    /** The tile step of the class comment (overwrites {@code acc[0, np·width)}). */
    void tile(byte[] w, int wOff, int width, int kr, int[] b, int rows, int np, int[] acc);

    /**
     * The store step of the class comment: {@code chOff[c] = c·cs} for the output's channel stride
     * cs (1 for a linear layer, OH·OW for a convolution); {@code mult}, {@code bias} and
     * {@code chOff} are readable up to {@code c0 + width}.
     */
    void store(int[] acc, int width, int np, int valid, float[] mult, float[] bias, int c0, boolean relu,
               int[] obase, int q0, int[] chOff, float[] y);

    /**
     * The bytes of {@link #shiftedWeights} widened to int32 for one call of the shifted loop, in a
     * buffer of the calling thread reused by later calls (broadcasting an int from memory is one
     * instruction; sign-extending a byte first made the loop 37% slower).
     */
    default int[] widenShifted(byte[] w) {
        throw new UnsupportedOperationException(name() + " has no shifted loop");
    }

    /** The inverse of {@link #shiftedWeights}: [m, kr] row-major. */
    default byte[] unpackShifted(byte[] w, int m, int kr) {
        throw new UnsupportedOperationException(name() + " has no shifted loop");
    }

    /** Weights [m, kr] in the layout of {@link #shifted}, or null when this kernel has no such loop (the gather path runs). */
    default byte[] shiftedWeights(byte[] weight, int m, int kr) {
        return null;
    }

    /**
     * A stride-1 convolution of one image without gathered columns, for the positions
     * {@code s in [s0, s1)} of the padded-row grid ({@code s = oy·wp + ox}):
     * <pre>
     * y[yOff + c·plane + out[s]] = Int8Reference.output(Σ_k d[dOff + koff[k] + s] · W[c, k], mult[c], bias[c], relu)
     *                              for c &lt; m and every s with valid[s]
     * </pre>
     * {@code out} and {@code valid} are readable {@link #SLACK} past s1 (valid false there, out in range),
     * and d that far past the image.
     */
    default void shifted(int[] w, int m, int kr, int[] d, int dOff, int[] koff, int s0, int s1, int[] out, boolean[] valid,
                         float[] mult, float[] bias, boolean relu, float[] y, int yOff, int plane) {
        throw new UnsupportedOperationException(name() + " has no shifted loop");
    }
}
