package dev.tersor.tensor.lowbit;

import static dev.tersor.tensor.lowbit.Int8VectorTiles.I;
import static dev.tersor.tensor.lowbit.Int8VectorTiles.L;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The stride-1 convolution loop for narrow layers (at most 64 output channels, one group), with
 * positions along the lanes and no gathered columns: position s of the padded-row grid
 * ({@code s = oy·wp + ox}, so a row's last {@code wp − OW} positions are computed and dropped)
 * reads tap k at {@code d[dOff + koff[k] + s]}, and 3 vectors of consecutive positions are shifted
 * rows of the padded image, loaded in place, as the float convolution's {@code ShiftedWindows}
 * does. Each step of k broadcasts 8 int32 weights (one per channel of the block) and issues 24
 * multiply-adds. Narrow layers need this because gathering columns costs as much as the
 * arithmetic when only one or two panels of channels reuse them: 16→16 channels 3×3 on 32×32
 * ran at 0.44× float through the gather path. The layer keeps its weights as int8 (a quarter of
 * float's memory); each call widens them into a per-thread int32 buffer ({@link #widen}), since
 * broadcasting an int from memory is one instruction and sign-extending a byte first made the
 * loop 37% slower (16→16 channels 3×3 on 28×28: 0.048 against 0.035 ms). AVX-512 only (24
 * accumulators).
 */
final class Int8VectorShifted {
    private static final VectorSpecies<Float> F = VectorSpecies.of(float.class, I.vectorShape());
    /** Channels per block. */
    static final int MB = 8;
    /** Positions per tile: three vectors. */
    static final int TILE = 3 * L;

    private Int8VectorShifted() {
    }

    /** [⌈m/8⌉][kr][8] int8, channels past m 0; null where the vectors are shorter than 16 ints. */
    static byte[] weights(byte[] weight, int m, int kr) {
        if (L < 16) return null;
        int blocks = (m + MB - 1) / MB;
        byte[] w = new byte[blocks * kr * MB];
        for (int c = 0; c < m; c++) {
            for (int k = 0; k < kr; k++) w[((c / MB) * kr + k) * MB + c % MB] = weight[c * kr + k];
        }
        return w;
    }

    private static final ThreadLocal<int[][]> WIDE = ThreadLocal.withInitial(() -> new int[][] {new int[0]});

    /** {@code w} as int32 in a buffer of the calling thread (valid until its next call). */
    static int[] widen(byte[] w) {
        int[][] holder = WIDE.get();
        if (holder[0].length < w.length) holder[0] = new int[w.length];
        int[] out = holder[0];
        for (int i = 0; i < w.length; i++) out[i] = w[i];
        return out;
    }

    /** The inverse of {@link #weights}: [m, kr] row-major. */
    static byte[] unpack(byte[] w, int m, int kr) {
        byte[] out = new byte[m * kr];
        for (int c = 0; c < m; c++) {
            for (int k = 0; k < kr; k++) out[c * kr + k] = w[((c / MB) * kr + k) * MB + c % MB];
        }
        return out;
    }

    /** See {@link Int8Kernel#shifted}. */
    static void run(int[] w, int m, int kr, int[] d, int dOff, int[] koff, int s0, int s1, int[] out, boolean[] valid,
                    float[] mult, float[] bias, boolean relu, float[] y, int yOff, int plane) {
        int[] acc = new int[MB * TILE];
        for (int blk = 0; blk * MB < m; blk++) {
            int cMax = Math.min(MB, m - blk * MB);
            for (int s = s0; s < s1; s += TILE) {
                tile8x3(w, blk * kr * MB, kr, d, dOff + s, koff, acc);
                for (int v = 0; v < 3; v++) {
                    int sv = s + v * L;
                    if (sv >= s1) break;
                    VectorMask<Float> lanes = VectorMask.fromArray(F, valid, sv).and(F.indexInRange(sv, s1));
                    // lanes inside one output row store contiguously; a vector across a row's end scatters
                    boolean straight = valid[sv] && valid[sv + L - 1] && out[sv + L - 1] == out[sv] + L - 1;
                    for (int i = 0; i < cMax; i++) {
                        int c = blk * MB + i;
                        FloatVector r = ((FloatVector) IntVector.fromArray(I, acc, (3 * i + v) * L).convert(VectorOperators.I2F, 0))
                                .mul(mult[c]).add(bias[c]);
                        if (relu) r = r.lanewise(VectorOperators.MAX, 0f);
                        if (straight) r.intoArray(y, yOff + c * plane + out[sv], lanes);
                        else r.intoArray(y, yOff + c * plane, out, sv, lanes);
                    }
                }
            }
        }
    }

    /** 8 channels × 3 vectors of positions: c<i>a, c<i>b, c<i>c accumulate channel i. */
    private static void tile8x3(int[] w, int wOff, int kr, int[] d, int dOff, int[] koff, int[] acc) {
        IntVector zero = IntVector.zero(I);
        IntVector c0a = zero, c0b = zero, c0c = zero, c1a = zero, c1b = zero, c1c = zero, c2a = zero, c2b = zero;
        IntVector c2c = zero, c3a = zero, c3b = zero, c3c = zero, c4a = zero, c4b = zero, c4c = zero, c5a = zero;
        IntVector c5b = zero, c5c = zero, c6a = zero, c6b = zero, c6c = zero, c7a = zero, c7b = zero, c7c = zero;
        for (int k = 0; k < kr; k++) {
            int di = dOff + koff[k], wi = wOff + k * 8;
            IntVector xa = IntVector.fromArray(I, d, di), xb = IntVector.fromArray(I, d, di + L), xc = IntVector.fromArray(I, d, di + 2 * L);
            IntVector v;
            v = IntVector.broadcast(I, w[wi]); c0a = v.mul(xa).add(c0a); c0b = v.mul(xb).add(c0b); c0c = v.mul(xc).add(c0c);
            v = IntVector.broadcast(I, w[wi + 1]); c1a = v.mul(xa).add(c1a); c1b = v.mul(xb).add(c1b); c1c = v.mul(xc).add(c1c);
            v = IntVector.broadcast(I, w[wi + 2]); c2a = v.mul(xa).add(c2a); c2b = v.mul(xb).add(c2b); c2c = v.mul(xc).add(c2c);
            v = IntVector.broadcast(I, w[wi + 3]); c3a = v.mul(xa).add(c3a); c3b = v.mul(xb).add(c3b); c3c = v.mul(xc).add(c3c);
            v = IntVector.broadcast(I, w[wi + 4]); c4a = v.mul(xa).add(c4a); c4b = v.mul(xb).add(c4b); c4c = v.mul(xc).add(c4c);
            v = IntVector.broadcast(I, w[wi + 5]); c5a = v.mul(xa).add(c5a); c5b = v.mul(xb).add(c5b); c5c = v.mul(xc).add(c5c);
            v = IntVector.broadcast(I, w[wi + 6]); c6a = v.mul(xa).add(c6a); c6b = v.mul(xb).add(c6b); c6c = v.mul(xc).add(c6c);
            v = IntVector.broadcast(I, w[wi + 7]); c7a = v.mul(xa).add(c7a); c7b = v.mul(xb).add(c7b); c7c = v.mul(xc).add(c7c);
        }
        c0a.intoArray(acc, 0);
        c0b.intoArray(acc, 1 * L);
        c0c.intoArray(acc, 2 * L);
        c1a.intoArray(acc, 3 * L);
        c1b.intoArray(acc, 4 * L);
        c1c.intoArray(acc, 5 * L);
        c2a.intoArray(acc, 6 * L);
        c2b.intoArray(acc, 7 * L);
        c2c.intoArray(acc, 8 * L);
        c3a.intoArray(acc, 9 * L);
        c3b.intoArray(acc, 10 * L);
        c3c.intoArray(acc, 11 * L);
        c4a.intoArray(acc, 12 * L);
        c4b.intoArray(acc, 13 * L);
        c4c.intoArray(acc, 14 * L);
        c5a.intoArray(acc, 15 * L);
        c5b.intoArray(acc, 16 * L);
        c5c.intoArray(acc, 17 * L);
        c6a.intoArray(acc, 18 * L);
        c6b.intoArray(acc, 19 * L);
        c6c.intoArray(acc, 20 * L);
        c7a.intoArray(acc, 21 * L);
        c7b.intoArray(acc, 22 * L);
        c7c.intoArray(acc, 23 * L);
    }
}
