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
 * Each kernel keeps W in its own layout ({@link #layout}). Implementations: the scalar reference
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
}
