package dev.tersor.tensor.lowbit;

import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The SIMD XNOR-popcount loop: one vector of output channels per weight load, the activation
 * word broadcast, lane-wise XOR and BIT_COUNT (AVX-512 VPOPCNTQ where the CPU has it), blocks of
 * 4 output positions × 2 vectors of channels in 8 vector accumulators.
 *
 * <p>{@code VectorOperators.BIT_COUNT} exists from JDK 19. The build targets release 17, so the
 * operator is looked up by name once into a {@code static final} (which C2 treats as a constant
 * and intrinsifies like a direct reference); on JDK 17 it is absent, {@link #create()} returns
 * null and {@link XnorKernels} keeps the scalar kernel. Only {@link XnorKernels} loads this
 * class, and only when {@code jdk.incubator.vector} is in the boot layer.
 */
final class XnorVectorKernel implements XnorKernel {
    /** The preferred long shape (8 lanes with AVX-512), resolved once. */
    private static final VectorSpecies<Long> S = LongVector.SPECIES_PREFERRED;
    /** Longs per vector. */
    private static final int L = S.length();
    /** Ints of half the width: the counts of one long vector, stored as ints. */
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, VectorShape.forBitSize(S.vectorBitSize() / 2));
    /** {@code VectorOperators.BIT_COUNT}, or null before JDK 19. */
    private static final VectorOperators.Unary BIT_COUNT = lookupBitCount();

    private XnorVectorKernel() {
    }

    private static VectorOperators.Unary lookupBitCount() {
        try {
            return (VectorOperators.Unary) VectorOperators.class.getField("BIT_COUNT").get(null);
        } catch (ReflectiveOperationException | ClassCastException e) {
            return null;
        }
    }

    /** The kernel, or null when this JDK's Vector API has no lane-wise BIT_COUNT. */
    static XnorKernel create() {
        return BIT_COUNT == null || L < 2 ? null : new XnorVectorKernel();
    }

    @Override
    public String name() {
        return "vector-bitcount";
    }

    @Override
    public int accStride(int k) {
        return (k + 2 * L - 1) / (2 * L) * (2 * L);
    }

    /** [steps, kPad]: step s of output channel o at {@code s·kPad + o}, so one load reads 8 channels. */
    @Override
    public long[] layout(long[] rows, int k, int steps) {
        int kPad = accStride(k);
        long[] w = new long[steps * kPad];
        for (int o = 0; o < k; o++) {
            for (int s = 0; s < steps; s++) w[s * kPad + o] = rows[o * steps + s];
        }
        return w;
    }

    @Override
    public void accumulate(long[] act, int base, int pixStep, int np, int[] segOff, int segLen, long[] w, int k, int[] acc) {
        int kPad = accStride(k), segs = segOff.length;
        for (int o = 0; o < kPad; o += 2 * L) {
            int p = 0;
            for (; p + 4 <= np; p += 4) {
                LongVector a00 = LongVector.zero(S), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00;
                int b0 = base + p * pixStep;
                for (int s = 0; s < segs; s++) {
                    int a = b0 + segOff[s];
                    int wi = s * segLen * kPad + o;
                    for (int j = 0; j < segLen; j++, a++, wi += kPad) {
                        LongVector w0 = LongVector.fromArray(S, w, wi), w1 = LongVector.fromArray(S, w, wi + L);
                        long x0 = act[a], x1 = act[a + pixStep], x2 = act[a + 2 * pixStep], x3 = act[a + 3 * pixStep];
                        a00 = a00.add(w0.lanewise(VectorOperators.XOR, x0).lanewise(BIT_COUNT));
                        a01 = a01.add(w1.lanewise(VectorOperators.XOR, x0).lanewise(BIT_COUNT));
                        a10 = a10.add(w0.lanewise(VectorOperators.XOR, x1).lanewise(BIT_COUNT));
                        a11 = a11.add(w1.lanewise(VectorOperators.XOR, x1).lanewise(BIT_COUNT));
                        a20 = a20.add(w0.lanewise(VectorOperators.XOR, x2).lanewise(BIT_COUNT));
                        a21 = a21.add(w1.lanewise(VectorOperators.XOR, x2).lanewise(BIT_COUNT));
                        a30 = a30.add(w0.lanewise(VectorOperators.XOR, x3).lanewise(BIT_COUNT));
                        a31 = a31.add(w1.lanewise(VectorOperators.XOR, x3).lanewise(BIT_COUNT));
                    }
                }
                int q = p * kPad + o;
                store(a00, acc, q);
                store(a01, acc, q + L);
                store(a10, acc, q + kPad);
                store(a11, acc, q + kPad + L);
                store(a20, acc, q + 2 * kPad);
                store(a21, acc, q + 2 * kPad + L);
                store(a30, acc, q + 3 * kPad);
                store(a31, acc, q + 3 * kPad + L);
            }
            for (; p < np; p++) {
                LongVector s0 = LongVector.zero(S), s1 = s0;
                int b0 = base + p * pixStep;
                for (int s = 0; s < segs; s++) {
                    int a = b0 + segOff[s];
                    int wi = s * segLen * kPad + o;
                    for (int j = 0; j < segLen; j++, a++, wi += kPad) {
                        long x = act[a];
                        s0 = s0.add(LongVector.fromArray(S, w, wi).lanewise(VectorOperators.XOR, x).lanewise(BIT_COUNT));
                        s1 = s1.add(LongVector.fromArray(S, w, wi + L).lanewise(VectorOperators.XOR, x).lanewise(BIT_COUNT));
                    }
                }
                store(s0, acc, p * kPad + o);
                store(s1, acc, p * kPad + o + L);
            }
        }
    }

    private static void store(LongVector counts, int[] acc, int offset) {
        ((IntVector) counts.convertShape(VectorOperators.L2I, I, 0)).intoArray(acc, offset);
    }
}
