package dev.tersor.tensor.lowbit;

/**
 * The scalar XNOR-popcount loop: {@link Long#bitCount} (a JIT intrinsic, one POPCNT) over blocks
 * of 2 output positions × 2 output channels in 4 independent accumulators; weights stay in rows
 * ([kPad, steps]), so each segment is a contiguous run in both operands. POPCNT throughput
 * bounds it: about 0.5 ms (JDK 25) and 0.8–1 ms (JDK 17) for the 1.8 M word pairs of a 3×3
 * 256→256 convolution on 14×14 (AMD Zen 5); 4×2 and 1×4 register blocks, the [steps, K] layout
 * and int accumulators measured no faster, C2 does not auto-vectorise {@code Integer.bitCount}
 * loops, and a vectorised Harley–Seal count through JDK 17's Vector API (no lane-wise BIT_COUNT
 * there) measured 1.5 ms, slower than this loop. The readable reference, the JDK 17 path and the
 * test oracle of the SIMD kernel.
 */
final class XnorScalarKernel implements XnorKernel {

    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public int accStride(int k) {
        return (k + 1) & ~1;
    }

    @Override
    public long[] layout(long[] rows, int k, int steps) {
        long[] w = new long[accStride(k) * steps];
        System.arraycopy(rows, 0, w, 0, k * steps);
        return w;
    }

    @Override
    public void accumulate(long[] act, int base, int pixStep, int np, int[] segOff, int segLen, long[] w, int k, int[] acc) {
        int stride = accStride(k), segs = segOff.length, steps = segs * segLen;
        for (int o = 0; o < stride; o += 2) {
            int w0 = o * steps, w1 = w0 + steps;
            int p = 0;
            for (; p + 2 <= np; p += 2) {
                int s00 = 0, s01 = 0, s10 = 0, s11 = 0;
                int b0 = base + p * pixStep;
                for (int s = 0; s < segs; s++) {
                    int a0 = b0 + segOff[s], a1 = a0 + pixStep, wi = s * segLen;
                    for (int j = 0; j < segLen; j++) {
                        long x0 = act[a0 + j], x1 = act[a1 + j], v0 = w[w0 + wi + j], v1 = w[w1 + wi + j];
                        s00 += Long.bitCount(x0 ^ v0);
                        s01 += Long.bitCount(x0 ^ v1);
                        s10 += Long.bitCount(x1 ^ v0);
                        s11 += Long.bitCount(x1 ^ v1);
                    }
                }
                int q = p * stride + o;
                acc[q] = s00;
                acc[q + 1] = s01;
                acc[q + stride] = s10;
                acc[q + stride + 1] = s11;
            }
            if (p < np) {
                int s0 = 0, s1 = 0;
                int b0 = base + p * pixStep;
                for (int s = 0; s < segs; s++) {
                    int a = b0 + segOff[s], wi = s * segLen;
                    for (int j = 0; j < segLen; j++) {
                        long x = act[a + j];
                        s0 += Long.bitCount(x ^ w[w0 + wi + j]);
                        s1 += Long.bitCount(x ^ w[w1 + wi + j]);
                    }
                }
                acc[p * stride + o] = s0;
                acc[p * stride + o + 1] = s1;
            }
        }
    }

    @Override
    public int positionBlock() {
        return 1;
    }

    @Override
    public void accumulatePlanar(long[] act, int base, int[] tapOff, int words, int wordStride, int np, long[] rows, int k,
                                 int[] acc, int accStride) {
        int taps = tapOff.length, steps = taps * words, kRows = (k + PLANAR_ROWS - 1) / PLANAR_ROWS * PLANAR_ROWS;
        for (int o = 0; o < kRows; o += 2) {
            int w0 = o * steps, w1 = w0 + steps;
            for (int p = 0; p < np; p++) {
                int s0 = 0, s1 = 0;
                for (int t = 0; t < taps; t++) {
                    int a = base + tapOff[t] + p, s = t * words;
                    for (int j = 0; j < words; j++, a += wordStride) {
                        long x = act[a];
                        s0 += Long.bitCount(x ^ rows[w0 + s + j]);
                        s1 += Long.bitCount(x ^ rows[w1 + s + j]);
                    }
                }
                acc[o * accStride + p] = s0;
                acc[(o + 1) * accStride + p] = s1;
            }
        }
    }
}
