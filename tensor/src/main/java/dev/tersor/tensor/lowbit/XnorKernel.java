package dev.tersor.tensor.lowbit;

/**
 * The one inner loop of every XNOR-popcount op: for a run of output positions, counts the bits
 * where packed activations and packed weights differ, summed over the reduction. The reduction
 * is a list of segments, each {@code segLen} consecutive activation words from its offset (a
 * convolution row of taps, or a whole matrix row); weight row {@code o} holds the matching words
 * in the same order, {@code steps = segments·segLen}:
 * <pre>
 * acc[p·accStride(k) + o] = Σ_{s < segOff.length} Σ_{j < segLen}
 *         popcount(act[base + p·pixStep + segOff[s] + j] XOR W[o, s·segLen + j])
 * for p in [0, np), o in [0, accStride(k))     (padded channels count against zero weights)
 * </pre>
 * Each kernel keeps W in its own layout ({@link #layout}). Convolutions use the second form,
 * {@link #accumulatePlanar}, whose positions are contiguous words (word-planar activations) and
 * whose result is channel-major, so the output rows come out contiguous. Implementations: the scalar reference
 * {@link XnorScalarKernel} (the test oracle) and the Vector API {@code XnorVectorKernel}
 * (lane-wise BIT_COUNT, JDK 19+), picked by {@link XnorKernels}.
 */
interface XnorKernel {

    /** A short name for reports: {@code "scalar"}, {@code "vector-bitcount"}. */
    String name();

    /** Packed weight rows [k, steps] rearranged into this kernel's layout (padded channels are 0). */
    long[] layout(long[] rows, int k, int steps);

    /** Row stride of {@code acc}: {@code k} rounded up to the kernel's block of channels. */
    int accStride(int k);

    /** Fills {@code acc[0 .. np·accStride(k))} as in the class comment (overwrites). */
    void accumulate(long[] act, int base, int pixStep, int np, int[] segOff, int segLen, long[] weights, int k, int[] acc);

    /** Output channels per block of {@link #accumulatePlanar}: weight rows are padded to a multiple of 4. */
    int PLANAR_ROWS = 4;

    /** Positions per vector of {@link #accumulatePlanar} (it may read and write up to a multiple of this). */
    int positionBlock();

    /**
     * The position-contiguous form (convolutions on word-planar activations):
     * <pre>
     * acc[o·accStride + p] = Σ_{t < tapOff.length} Σ_{j < words}
     *         popcount(act[base + tapOff[t] + j·wordStride + p] XOR rows[o·steps + t·words + j])
     * for o in [0, roundUp(k, 4)), p in [0, roundUp(np, positionBlock()))     steps = taps·words
     * </pre>
     * {@code rows} holds {@code roundUp(k, 4)} weight rows (the extra ones 0); {@code act} must be
     * readable that far past each position and {@code accStride >= roundUp(np, positionBlock())}.
     */
    void accumulatePlanar(long[] act, int base, int[] tapOff, int words, int wordStride, int np, long[] rows, int k,
                          int[] acc, int accStride);

    /**
     * Packs the signs of pixels {@code [p0, p1)} of one image, as
     * {@link PackedBits#packPixels(float[], int, int, int, int, int, long[], int, int[], int)}.
     */
    default void packPixels(float[] x, int src, int plane, int c, int p0, int p1, long[] dst, int d, int[] dstPix, int wordStride) {
        PackedBits.packPixels(x, src, plane, c, p0, p1, dst, d, dstPix, wordStride);
    }
}
