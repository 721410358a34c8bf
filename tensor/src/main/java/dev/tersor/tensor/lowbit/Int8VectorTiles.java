package dev.tersor.tensor.lowbit;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register-blocked micro-kernels of {@code Int8VectorKernel}: one tile of {@code P}
 * positions × one panel of channels (one or two int vectors of L lanes) over the whole reduction,
 * {@code acc[accOff + r·width + j] = Σ_{k < kr} b[bOff + k·rows + r] · w[wOff + k·width + j]}.
 *
 * <p>The channels lie along the lanes: each step of k loads the panel's int8 weights (16 or 32
 * bytes), widens them to ints ({@code B2I}, one {@code vpmovsxbd}), broadcasts each position's
 * {@code xq − zp} from the gathered columns and issues one int multiply and one add per vector
 * ({@code vpmulld}, {@code vpaddd}) into accumulators kept in registers for the whole loop, as the
 * float GEMM kernel does with FMAs. The Vector API has no widening int8 or int16 dot product
 * ({@code vpmaddwd}/{@code vpdpwssd}), so each int lane does one multiply-add per step, the same
 * count as a float FMA lane. 12 × 2 vectors use 24 of the 32 AVX-512 registers; with 16 registers
 * (AVX2) the two-vector tile is 6 positions tall. Measured on Zen 5 (Temurin 25, 256×2304 weights
 * against 2304×196 columns, one thread): 89 GMAC/s for this layout with byte weights, 95 with
 * int32 weights (4× the memory), 86 with positions along the lanes and int32 weights broadcast,
 * 45 with byte weights broadcast through a general register; Tersor's float GEMM 77 on the same
 * product. Accumulators start from a local {@code zero} (see {@code GemmKernel}).
 */
final class Int8VectorTiles {
    /** Int lanes of the preferred shape, resolved once. */
    static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    /** Ints per vector. */
    static final int L = I.length();
    /** Channels of a two-vector panel. */
    static final int W2 = 2 * L;
    /** Bytes of L lanes (64 or 128 bits), widened to one int vector. */
    static final VectorSpecies<Byte> B = L >= 8 ? VectorSpecies.of(byte.class, VectorShape.forBitSize(L * 8)) : null;
    /** Positions of a two-vector tile: 12 with 32 vector registers (AVX-512), else 6. */
    static final int MR = I.vectorBitSize() >= 512 ? 12 : 6;

    private Int8VectorTiles() {
    }

    /** The tile step of {@link Int8Kernel}: full tiles of MR (or 12) positions, then 6, then single positions. */
    static void tile(byte[] w, int wOff, int width, int kr, int[] b, int rows, int np, int[] acc) {
        int r = 0;
        if (width == W2) {
            if (MR == 12) for (; r + 12 <= np; r += 12) tile12x2(w, wOff, kr, b, r, rows, acc, r * W2);
            for (; r + 6 <= np; r += 6) tile6x2(w, wOff, kr, b, r, rows, acc, r * W2);
            for (; r < np; r++) tile1x2(w, wOff, kr, b, r, rows, acc, r * W2);
        } else {
            for (; r + 12 <= np; r += 12) tile12x1(w, wOff, kr, b, r, rows, acc, r * L);
            for (; r < np; r++) tile1x1(w, wOff, kr, b, r, rows, acc, r * L);
        }
    }

    /** 12 positions × 2 vectors of channels: c<r>l, c<r>r accumulate position r. */
    static void tile12x2(byte[] w, int wOff, int kr, int[] b, int bOff, int rows, int[] acc, int accOff) {
        IntVector zero = IntVector.zero(I);
        IntVector c0l = zero, c0r = zero, c1l = zero, c1r = zero, c2l = zero, c2r = zero, c3l = zero, c3r = zero;
        IntVector c4l = zero, c4r = zero, c5l = zero, c5r = zero, c6l = zero, c6r = zero, c7l = zero, c7r = zero;
        IntVector c8l = zero, c8r = zero, c9l = zero, c9r = zero, c10l = zero, c10r = zero, c11l = zero, c11r = zero;
        for (int k = 0; k < kr; k++) {
            int wi = wOff + k * W2, bi = bOff + k * rows;
            IntVector wl = (IntVector) ByteVector.fromArray(B, w, wi).convertShape(VectorOperators.B2I, I, 0);
            IntVector wr = (IntVector) ByteVector.fromArray(B, w, wi + L).convertShape(VectorOperators.B2I, I, 0);
            IntVector x;
            x = IntVector.broadcast(I, b[bi]); c0l = x.mul(wl).add(c0l); c0r = x.mul(wr).add(c0r);
            x = IntVector.broadcast(I, b[bi + 1]); c1l = x.mul(wl).add(c1l); c1r = x.mul(wr).add(c1r);
            x = IntVector.broadcast(I, b[bi + 2]); c2l = x.mul(wl).add(c2l); c2r = x.mul(wr).add(c2r);
            x = IntVector.broadcast(I, b[bi + 3]); c3l = x.mul(wl).add(c3l); c3r = x.mul(wr).add(c3r);
            x = IntVector.broadcast(I, b[bi + 4]); c4l = x.mul(wl).add(c4l); c4r = x.mul(wr).add(c4r);
            x = IntVector.broadcast(I, b[bi + 5]); c5l = x.mul(wl).add(c5l); c5r = x.mul(wr).add(c5r);
            x = IntVector.broadcast(I, b[bi + 6]); c6l = x.mul(wl).add(c6l); c6r = x.mul(wr).add(c6r);
            x = IntVector.broadcast(I, b[bi + 7]); c7l = x.mul(wl).add(c7l); c7r = x.mul(wr).add(c7r);
            x = IntVector.broadcast(I, b[bi + 8]); c8l = x.mul(wl).add(c8l); c8r = x.mul(wr).add(c8r);
            x = IntVector.broadcast(I, b[bi + 9]); c9l = x.mul(wl).add(c9l); c9r = x.mul(wr).add(c9r);
            x = IntVector.broadcast(I, b[bi + 10]); c10l = x.mul(wl).add(c10l); c10r = x.mul(wr).add(c10r);
            x = IntVector.broadcast(I, b[bi + 11]); c11l = x.mul(wl).add(c11l); c11r = x.mul(wr).add(c11r);
        }
        c0l.intoArray(acc, accOff);
        c0r.intoArray(acc, accOff + L);
        c1l.intoArray(acc, accOff + 2 * L);
        c1r.intoArray(acc, accOff + 3 * L);
        c2l.intoArray(acc, accOff + 4 * L);
        c2r.intoArray(acc, accOff + 5 * L);
        c3l.intoArray(acc, accOff + 6 * L);
        c3r.intoArray(acc, accOff + 7 * L);
        c4l.intoArray(acc, accOff + 8 * L);
        c4r.intoArray(acc, accOff + 9 * L);
        c5l.intoArray(acc, accOff + 10 * L);
        c5r.intoArray(acc, accOff + 11 * L);
        c6l.intoArray(acc, accOff + 12 * L);
        c6r.intoArray(acc, accOff + 13 * L);
        c7l.intoArray(acc, accOff + 14 * L);
        c7r.intoArray(acc, accOff + 15 * L);
        c8l.intoArray(acc, accOff + 16 * L);
        c8r.intoArray(acc, accOff + 17 * L);
        c9l.intoArray(acc, accOff + 18 * L);
        c9r.intoArray(acc, accOff + 19 * L);
        c10l.intoArray(acc, accOff + 20 * L);
        c10r.intoArray(acc, accOff + 21 * L);
        c11l.intoArray(acc, accOff + 22 * L);
        c11r.intoArray(acc, accOff + 23 * L);
    }

    /** 6 positions × 2 vectors of channels: c<r>l, c<r>r accumulate position r. */
    static void tile6x2(byte[] w, int wOff, int kr, int[] b, int bOff, int rows, int[] acc, int accOff) {
        IntVector zero = IntVector.zero(I);
        IntVector c0l = zero, c0r = zero, c1l = zero, c1r = zero, c2l = zero, c2r = zero, c3l = zero, c3r = zero;
        IntVector c4l = zero, c4r = zero, c5l = zero, c5r = zero;
        for (int k = 0; k < kr; k++) {
            int wi = wOff + k * W2, bi = bOff + k * rows;
            IntVector wl = (IntVector) ByteVector.fromArray(B, w, wi).convertShape(VectorOperators.B2I, I, 0);
            IntVector wr = (IntVector) ByteVector.fromArray(B, w, wi + L).convertShape(VectorOperators.B2I, I, 0);
            IntVector x;
            x = IntVector.broadcast(I, b[bi]); c0l = x.mul(wl).add(c0l); c0r = x.mul(wr).add(c0r);
            x = IntVector.broadcast(I, b[bi + 1]); c1l = x.mul(wl).add(c1l); c1r = x.mul(wr).add(c1r);
            x = IntVector.broadcast(I, b[bi + 2]); c2l = x.mul(wl).add(c2l); c2r = x.mul(wr).add(c2r);
            x = IntVector.broadcast(I, b[bi + 3]); c3l = x.mul(wl).add(c3l); c3r = x.mul(wr).add(c3r);
            x = IntVector.broadcast(I, b[bi + 4]); c4l = x.mul(wl).add(c4l); c4r = x.mul(wr).add(c4r);
            x = IntVector.broadcast(I, b[bi + 5]); c5l = x.mul(wl).add(c5l); c5r = x.mul(wr).add(c5r);
        }
        c0l.intoArray(acc, accOff);
        c0r.intoArray(acc, accOff + L);
        c1l.intoArray(acc, accOff + 2 * L);
        c1r.intoArray(acc, accOff + 3 * L);
        c2l.intoArray(acc, accOff + 4 * L);
        c2r.intoArray(acc, accOff + 5 * L);
        c3l.intoArray(acc, accOff + 6 * L);
        c3r.intoArray(acc, accOff + 7 * L);
        c4l.intoArray(acc, accOff + 8 * L);
        c4r.intoArray(acc, accOff + 9 * L);
        c5l.intoArray(acc, accOff + 10 * L);
        c5r.intoArray(acc, accOff + 11 * L);
    }

    /** 1 position × 2 vectors of channels: c<r>l, c<r>r accumulate position r. */
    static void tile1x2(byte[] w, int wOff, int kr, int[] b, int bOff, int rows, int[] acc, int accOff) {
        IntVector zero = IntVector.zero(I);
        IntVector c0l = zero, c0r = zero;
        for (int k = 0; k < kr; k++) {
            int wi = wOff + k * W2, bi = bOff + k * rows;
            IntVector wl = (IntVector) ByteVector.fromArray(B, w, wi).convertShape(VectorOperators.B2I, I, 0);
            IntVector wr = (IntVector) ByteVector.fromArray(B, w, wi + L).convertShape(VectorOperators.B2I, I, 0);
            IntVector x;
            x = IntVector.broadcast(I, b[bi]); c0l = x.mul(wl).add(c0l); c0r = x.mul(wr).add(c0r);
        }
        c0l.intoArray(acc, accOff);
        c0r.intoArray(acc, accOff + L);
    }

    /** 12 positions × 1 vector of channels: c<r> accumulate position r. */
    static void tile12x1(byte[] w, int wOff, int kr, int[] b, int bOff, int rows, int[] acc, int accOff) {
        IntVector zero = IntVector.zero(I);
        IntVector c0 = zero, c1 = zero, c2 = zero, c3 = zero, c4 = zero, c5 = zero, c6 = zero, c7 = zero;
        IntVector c8 = zero, c9 = zero, c10 = zero, c11 = zero;
        for (int k = 0; k < kr; k++) {
            int wi = wOff + k * L, bi = bOff + k * rows;
            IntVector wv = (IntVector) ByteVector.fromArray(B, w, wi).convertShape(VectorOperators.B2I, I, 0);
            IntVector x;
            x = IntVector.broadcast(I, b[bi]); c0 = x.mul(wv).add(c0);
            x = IntVector.broadcast(I, b[bi + 1]); c1 = x.mul(wv).add(c1);
            x = IntVector.broadcast(I, b[bi + 2]); c2 = x.mul(wv).add(c2);
            x = IntVector.broadcast(I, b[bi + 3]); c3 = x.mul(wv).add(c3);
            x = IntVector.broadcast(I, b[bi + 4]); c4 = x.mul(wv).add(c4);
            x = IntVector.broadcast(I, b[bi + 5]); c5 = x.mul(wv).add(c5);
            x = IntVector.broadcast(I, b[bi + 6]); c6 = x.mul(wv).add(c6);
            x = IntVector.broadcast(I, b[bi + 7]); c7 = x.mul(wv).add(c7);
            x = IntVector.broadcast(I, b[bi + 8]); c8 = x.mul(wv).add(c8);
            x = IntVector.broadcast(I, b[bi + 9]); c9 = x.mul(wv).add(c9);
            x = IntVector.broadcast(I, b[bi + 10]); c10 = x.mul(wv).add(c10);
            x = IntVector.broadcast(I, b[bi + 11]); c11 = x.mul(wv).add(c11);
        }
        c0.intoArray(acc, accOff);
        c1.intoArray(acc, accOff + 1 * L);
        c2.intoArray(acc, accOff + 2 * L);
        c3.intoArray(acc, accOff + 3 * L);
        c4.intoArray(acc, accOff + 4 * L);
        c5.intoArray(acc, accOff + 5 * L);
        c6.intoArray(acc, accOff + 6 * L);
        c7.intoArray(acc, accOff + 7 * L);
        c8.intoArray(acc, accOff + 8 * L);
        c9.intoArray(acc, accOff + 9 * L);
        c10.intoArray(acc, accOff + 10 * L);
        c11.intoArray(acc, accOff + 11 * L);
    }

    /** 1 position × 1 vector of channels: c<r> accumulate position r. */
    static void tile1x1(byte[] w, int wOff, int kr, int[] b, int bOff, int rows, int[] acc, int accOff) {
        IntVector zero = IntVector.zero(I);
        IntVector c0 = zero;
        for (int k = 0; k < kr; k++) {
            int wi = wOff + k * L, bi = bOff + k * rows;
            IntVector wv = (IntVector) ByteVector.fromArray(B, w, wi).convertShape(VectorOperators.B2I, I, 0);
            IntVector x;
            x = IntVector.broadcast(I, b[bi]); c0 = x.mul(wv).add(c0);
        }
        c0.intoArray(acc, accOff);
    }
}
