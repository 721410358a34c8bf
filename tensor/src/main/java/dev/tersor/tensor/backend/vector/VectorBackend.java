package dev.tersor.tensor.backend.vector;

import dev.tersor.tensor.backend.Backend;
import dev.tersor.tensor.backend.BinaryOp;
import dev.tersor.tensor.backend.ReduceOp;
import dev.tersor.tensor.backend.ScalarMath;
import dev.tersor.tensor.backend.UnaryOp;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * SIMD kernels through {@code jdk.incubator.vector} (the llama3.java loop): the species is
 * resolved once, the body runs over {@code loopBound(n)} whole vectors, and the tail goes
 * element by element through {@link ScalarMath}, the reference definition of every kernel.
 *
 * <p>Each kernel family is one loop; the op is mapped to Vector API operations by a switch
 * inside the loop body, so every branch uses a constant operator that C2 intrinsifies (a
 * {@code VectorOperators} value held in a variable is not intrinsified) and the switch,
 * invariant in the loop, costs one predicted branch per vector. Three groups get loops of their
 * own: the kernels that call the vector math library (EXP, LOG, TANH, SIGMOID: a call in the
 * loop made every other unary kernel twice as slow), GELU and POW (long formulas: C2 inlines
 * only so many nodes into one compiled method, and a helper it declines to inline boxes every
 * vector passing through it, tens of times slower).
 *
 * <p>Parity with {@link ScalarMath} (checked by {@code VectorBackendParityTest}): arithmetic,
 * comparisons, ABS, SIGN, RELU, LEAKY_RELU, SQRT, RECIPROCAL, MAX/MIN (NaN propagates, as
 * {@link Math#max}) are bit-exact. EXP and TANH are {@link VectorMath}'s polynomials, built from
 * IEEE operations so that a result does not depend on whether C2 has compiled the loop yet;
 * LOG and POW use the platform's vector math (SVML on x86, whose last bit can differ from the
 * interpreter's fallback), all within a few ulp of the double-precision reference; SIGMOID, GELU and GELU_GRAD are
 * evaluated in float from the same formulas, within about 1e-6 relative (GELU's Φ is computed
 * as ½·erfc for negative inputs, which avoids the cancellation the scalar reference has there;
 * the two agree to 1e-7 absolute in Φ). SUM and SUM_SQUARES add in a different order, within
 * the usual {@code n·2⁻²⁴·Σ|x|} bound.
 */
public final class VectorBackend implements Backend {
    /** The preferred vector shape (16 floats with AVX-512), resolved once. */
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Floats per vector. */
    private static final int L = S.length();

    private static final float INV_SQRT2 = (float) (1.0 / Math.sqrt(2.0));
    private static final float INV_SQRT_2PI = (float) (1.0 / Math.sqrt(2.0 * Math.PI));

    /** Floats per vector on this JVM (16 with AVX-512): tests and benchmarks size their runs by it. */
    public static int vectorLength() {
        return L;
    }

    @Override
    public String name() {
        return "vector";
    }

    @Override
    public int priority() {
        return 100;
    }

    @Override
    public int vectorBits() {
        return S.vectorBitSize();
    }

    /** {@code y[yOff+i] = op(x[xOff+i]; p)}. */
    @Override
    public void unary(UnaryOp op, float p, float[] x, int xOff, float[] y, int yOff, int n) {
        switch (op) {
            case GELU, GELU_GRAD -> geluLoop(op == UnaryOp.GELU_GRAD, x, xOff, y, yOff, n);
            case POW -> powLoop(x, xOff, 0f, null, 0, p, y, yOff, n);
            case EXP, LOG, TANH, SIGMOID -> mathLoop(op, x, xOff, y, yOff, n);
            default -> unaryLoop(op, p, x, xOff, y, yOff, n);
        }
    }

    /** The one-intrinsic (or few) unary kernels: one loop, the op switched inside. */
    private static void unaryLoop(UnaryOp op, float p, float[] x, int xOff, float[] y, int yOff, int n) {
        FloatVector pv = FloatVector.broadcast(S, p);
        FloatVector zero = FloatVector.zero(S), one = FloatVector.broadcast(S, 1f);
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xOff + i);
            FloatVector r = switch (op) {
                case NEG -> v.neg();
                case SQRT -> v.sqrt();
                case ABS -> v.abs();
                case SIGN -> v.blend(one, v.compare(VectorOperators.GT, 0f))
                        .blend(one.neg(), v.compare(VectorOperators.LT, 0f));   // ±0 and NaN stay
                case RELU -> v.max(zero);                                          // Math.max(x, 0)
                case LEAKY_RELU -> v.mul(pv).blend(v, v.compare(VectorOperators.GT, 0f));
                case RECIPROCAL -> one.div(v);
                case SCALE -> v.mul(pv);
                case SHIFT -> v.add(pv);
                case MAX_SCALAR -> v.max(pv);
                case MIN_SCALAR -> v.min(pv);
                case EXP, LOG, TANH, SIGMOID, GELU, GELU_GRAD, POW ->
                        throw new IllegalArgumentException(op + " has its own loop");
            };
            r.intoArray(y, yOff + i);
        }
        for (; i < n; i++) y[yOff + i] = ScalarMath.unary(op, p, x[xOff + i]);
    }

    /**
     * EXP, LOG, TANH, SIGMOID, one loop each: EXP and TANH are {@link VectorMath}'s, SIGMOID is
     * built on its exp, LOG calls the vector math library (SVML on x86). Separate loops keep
     * each compiled method small enough for C2 to inline the math into it.
     */
    private static void mathLoop(UnaryOp op, float[] x, int xOff, float[] y, int yOff, int n) {
        int i = switch (op) {
            case EXP -> expLoop(x, xOff, y, yOff, n);
            case TANH -> tanhLoop(x, xOff, y, yOff, n);
            case SIGMOID -> sigmoidLoop(x, xOff, y, yOff, n);
            case LOG -> logLoop(x, xOff, y, yOff, n);
            default -> throw new IllegalArgumentException(op + " is not a math kernel");
        };
        for (; i < n; i++) y[yOff + i] = ScalarMath.unary(op, 0f, x[xOff + i]);
    }

    /** The vectors of EXP; returns where the scalar tail starts. */
    private static int expLoop(float[] x, int xOff, float[] y, int yOff, int n) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) VectorMath.exp(FloatVector.fromArray(S, x, xOff + i)).intoArray(y, yOff + i);
        return i;
    }

    private static int tanhLoop(float[] x, int xOff, float[] y, int yOff, int n) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xOff + i);
            FloatVector a = v.abs();
            VectorMath.tanh(v, VectorMath.exp(a.add(a))).intoArray(y, yOff + i);
        }
        return i;
    }

    /** σ(x) = s = 1/(1 + e^−|x|) for x ≥ 0, else e^−|x|·s: e^−|x| never overflows. */
    private static int sigmoidLoop(float[] x, int xOff, float[] y, int yOff, int n) {
        FloatVector one = FloatVector.broadcast(S, 1f);
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xOff + i);
            FloatVector e = VectorMath.exp(v.abs().neg());
            FloatVector s = one.div(e.add(one));
            e.mul(s).blend(s, v.compare(VectorOperators.GE, 0f)).intoArray(y, yOff + i);
        }
        return i;
    }

    private static int logLoop(float[] x, int xOff, float[] y, int yOff, int n) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) FloatVector.fromArray(S, x, xOff + i).lanewise(VectorOperators.LOG).intoArray(y, yOff + i);
        return i;
    }

    /**
     * GELU {@code x·Φ(x)} or its derivative {@code Φ(x) + x·φ(x)}, {@code φ(x) = e^(−x²/2)/√(2π)},
     * in a loop of its own so that C2 inlines {@link #normalCdf} (see the class comment).
     */
    private static void geluLoop(boolean grad, float[] x, int xOff, float[] y, int yOff, int n) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xOff + i);
            FloatVector phi = normalCdf(v);
            FloatVector r = grad
                    ? v.mul(INV_SQRT_2PI).fma(VectorMath.exp(v.mul(v).mul(-0.5f)), phi)
                    : v.mul(phi);
            r.intoArray(y, yOff + i);
        }
        UnaryOp op = grad ? UnaryOp.GELU_GRAD : UnaryOp.GELU;
        for (; i < n; i++) y[yOff + i] = ScalarMath.unary(op, 0f, x[xOff + i]);
    }

    /** {@code z[zOff+i] = op(a[aOff+i], b[bOff+i])}. */
    @Override
    public void binary(BinaryOp op, float[] a, int aOff, float[] b, int bOff, float[] z, int zOff, int n) {
        if (op == BinaryOp.POW) powLoop(a, aOff, 0f, b, bOff, 0f, z, zOff, n);
        else binaryLoop(op, a, aOff, 0f, b, bOff, 0f, z, zOff, n);
    }

    /** {@code z[zOff+i] = op(a[aOff+i], s)}. */
    @Override
    public void binaryScalarRight(BinaryOp op, float[] a, int aOff, float s, float[] z, int zOff, int n) {
        if (op == BinaryOp.POW) powLoop(a, aOff, 0f, null, 0, s, z, zOff, n);
        else binaryLoop(op, a, aOff, 0f, null, 0, s, z, zOff, n);
    }

    /** {@code z[zOff+i] = op(s, b[bOff+i])}. */
    @Override
    public void binaryScalarLeft(BinaryOp op, float s, float[] b, int bOff, float[] z, int zOff, int n) {
        if (op == BinaryOp.POW) powLoop(null, 0, s, b, bOff, 0f, z, zOff, n);
        else binaryLoop(op, null, 0, s, b, bOff, 0f, z, zOff, n);
    }

    /**
     * {@code z[zOff+i] = op(A_i, B_i)} where {@code A_i = a[aOff+i]}, or the scalar {@code sa}
     * when {@code a} is null; likewise {@code B_i}. The null tests are loop-invariant (C2
     * unswitches them).
     */
    private static void binaryLoop(BinaryOp op, float[] a, int aOff, float sa, float[] b, int bOff, float sb,
                                   float[] z, int zOff, int n) {
        FloatVector saV = FloatVector.broadcast(S, sa), sbV = FloatVector.broadcast(S, sb);
        FloatVector zero = FloatVector.zero(S), one = FloatVector.broadcast(S, 1f);
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector u = a == null ? saV : FloatVector.fromArray(S, a, aOff + i);
            FloatVector v = b == null ? sbV : FloatVector.fromArray(S, b, bOff + i);
            FloatVector r = switch (op) {
                case ADD -> u.add(v);
                case SUB -> u.sub(v);
                case MUL -> u.mul(v);
                case DIV -> u.div(v);
                case POW -> throw new IllegalArgumentException("POW has its own loop");
                case MAX -> u.max(v);
                case MIN -> u.min(v);
                case EQ -> zero.blend(one, u.compare(VectorOperators.EQ, v));
                case NE -> zero.blend(one, u.compare(VectorOperators.NE, v));
                case LT -> zero.blend(one, u.compare(VectorOperators.LT, v));
                case LE -> zero.blend(one, u.compare(VectorOperators.LE, v));
                case GT -> zero.blend(one, u.compare(VectorOperators.GT, v));
                case GE -> zero.blend(one, u.compare(VectorOperators.GE, v));
                case RELU_GRAD -> zero.blend(u, v.compare(VectorOperators.GT, zero));
            };
            r.intoArray(z, zOff + i);
        }
        for (; i < n; i++) {
            z[zOff + i] = ScalarMath.binary(op, a == null ? sa : a[aOff + i], b == null ? sb : b[bOff + i]);
        }
    }

    /**
     * Reduces {@code x[off .. off+n)}: four vector accumulators (to hide the add latency) folded
     * lane-wise, then across lanes, then the tail through {@link ScalarMath#accumulate}.
     */
    @Override
    public float reduce(ReduceOp op, float[] x, int off, int n) {
        FloatVector id = FloatVector.broadcast(S, ScalarMath.identity(op));
        FloatVector acc0 = id, acc1 = id, acc2 = id, acc3 = id;
        int i = 0;
        for (int bound = n - 4 * L; i <= bound; i += 4 * L) {
            FloatVector v0 = FloatVector.fromArray(S, x, off + i);
            FloatVector v1 = FloatVector.fromArray(S, x, off + i + L);
            FloatVector v2 = FloatVector.fromArray(S, x, off + i + 2 * L);
            FloatVector v3 = FloatVector.fromArray(S, x, off + i + 3 * L);
            switch (op) {
                case SUM -> {
                    acc0 = acc0.add(v0);
                    acc1 = acc1.add(v1);
                    acc2 = acc2.add(v2);
                    acc3 = acc3.add(v3);
                }
                case SUM_SQUARES -> {
                    acc0 = v0.fma(v0, acc0);
                    acc1 = v1.fma(v1, acc1);
                    acc2 = v2.fma(v2, acc2);
                    acc3 = v3.fma(v3, acc3);
                }
                case MAX -> {
                    acc0 = acc0.max(v0);
                    acc1 = acc1.max(v1);
                    acc2 = acc2.max(v2);
                    acc3 = acc3.max(v3);
                }
                case MIN -> {
                    acc0 = acc0.min(v0);
                    acc1 = acc1.min(v1);
                    acc2 = acc2.min(v2);
                    acc3 = acc3.min(v3);
                }
            }
        }
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, off + i);
            acc0 = switch (op) {
                case SUM -> acc0.add(v);
                case SUM_SQUARES -> v.fma(v, acc0);
                case MAX -> acc0.max(v);
                case MIN -> acc0.min(v);
            };
        }
        float r = switch (op) {
            case SUM, SUM_SQUARES -> sumLanes(acc0.add(acc1).add(acc2.add(acc3)));
            case MAX -> acc0.max(acc1).max(acc2.max(acc3)).reduceLanes(VectorOperators.MAX);
            case MIN -> acc0.min(acc1).min(acc2.min(acc3)).reduceLanes(VectorOperators.MIN);
        };
        for (; i < n; i++) r = ScalarMath.accumulate(op, r, x[off + i]);
        return r;
    }

    /**
     * The sum of a vector's lanes in a fixed order, lane 0 first. {@code reduceLanes(ADD)} leaves
     * the order open, and the interpreter and C2 do pick different ones, so its rounding changes
     * once a kernel is compiled: a training run would then depend on JIT timing.
     */
    static float sumLanes(FloatVector v) {
        float s = 0f;
        for (float f : v.toArray()) s += f;
        return s;
    }

    /** {@code Σ a[aOff+i]·b[bOff+i]}, with two vector accumulators. */
    @Override
    public float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        return dotProduct(a, aOff, b, bOff, n);
    }

    /** {@link #dot} for the kernels of this package. */
    static float dotProduct(float[] a, int aOff, float[] b, int bOff, int n) {
        FloatVector acc0 = FloatVector.zero(S), acc1 = FloatVector.zero(S);
        int i = 0;
        for (int bound = n - 2 * L; i <= bound; i += 2 * L) {
            acc0 = FloatVector.fromArray(S, a, aOff + i).fma(FloatVector.fromArray(S, b, bOff + i), acc0);
            acc1 = FloatVector.fromArray(S, a, aOff + i + L).fma(FloatVector.fromArray(S, b, bOff + i + L), acc1);
        }
        for (int bound = S.loopBound(n); i < bound; i += L) {
            acc0 = FloatVector.fromArray(S, a, aOff + i).fma(FloatVector.fromArray(S, b, bOff + i), acc0);
        }
        float s = sumLanes(acc0.add(acc1));
        for (; i < n; i++) s += a[aOff + i] * b[bOff + i];
        return s;
    }

    /** Packed, cache-blocked, multithreaded SGEMM: see {@link VectorGemm}. */
    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k,
                     float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                     float beta, float[] c, int cOff, int ldc) {
        VectorGemm.gemm(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }

    @Override
    public void gemmRows(boolean transA, boolean transB, int m, int n, int k,
                         float[] a, int aOff, int lda, float[] b, int bOff, int[] bRows,
                         float beta, float[] c, int cOff, int ldc) {
        Backend.checkRows(bRows, transB ? n : k);
        VectorGemm.gemm(transA, transB, m, n, k, a, aOff, lda, b, bOff, bRows, beta, c, cOff, ldc);
    }

    /**
     * Φ(x) = ½·erfc(−x/√2): with {@code z = |x|/√2}, {@code t = 1/(1 + z/2)} and
     * {@code erfc(z) = t·exp(−z² + P(t))} (the Numerical Recipes Chebyshev fit of
     * {@link ScalarMath#erf}, P by Horner), Φ is {@code 1 − ½erfc(z)} for x ≥ 0 and
     * {@code ½erfc(z)} below.
     */
    private static FloatVector normalCdf(FloatVector x) {
        FloatVector z = x.abs().mul(INV_SQRT2);
        FloatVector t = FloatVector.broadcast(S, 1f).div(z.mul(0.5f).add(1f));
        FloatVector poly = t.mul(0.17087277f).add(-0.82215223f);
        poly = poly.mul(t).add(1.48851587f);
        poly = poly.mul(t).add(-1.13520398f);
        poly = poly.mul(t).add(0.27886807f);
        poly = poly.mul(t).add(-0.18628806f);
        poly = poly.mul(t).add(0.09678418f);
        poly = poly.mul(t).add(0.37409196f);
        poly = poly.mul(t).add(1.00002368f);
        poly = poly.mul(t).add(-1.26551223f);
        FloatVector halfErfc = t.mul(0.5f).mul(VectorMath.exp(z.mul(z).neg().add(poly)));
        return halfErfc.neg().add(1f).blend(halfErfc, x.compare(VectorOperators.LT, 0f));
    }

    /**
     * {@code z[zOff+i] = A_i^B_i} as {@link ScalarMath#pow} ({@code Math.pow} with exponents 0,
     * 1, 2 and ½ special-cased); {@code A_i = a[aOff+i]} or {@code sa} when {@code a} is null,
     * likewise {@code B_i}. The vector library follows C's {@code pow} where Java differs: Java
     * gives NaN for a NaN exponent ({@code 1^NaN}) and for {@code (±1)^±∞}.
     */
    private static void powLoop(float[] a, int aOff, float sa, float[] b, int bOff, float sb,
                                float[] z, int zOff, int n) {
        FloatVector saV = FloatVector.broadcast(S, sa), sbV = FloatVector.broadcast(S, sb);
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector u = a == null ? saV : FloatVector.fromArray(S, a, aOff + i);
            FloatVector v = b == null ? sbV : FloatVector.fromArray(S, b, bOff + i);
            VectorMask<Float> javaNaN = v.test(VectorOperators.IS_NAN)
                    .or(u.abs().eq(1f).and(v.test(VectorOperators.IS_INFINITE)));
            u.lanewise(VectorOperators.POW, v)
                    .blend(Float.NaN, javaNaN)
                    .blend(u.mul(u), v.eq(2f))
                    .blend(u, v.eq(1f))
                    .blend(1f, v.eq(0f))
                    .blend(u.sqrt(), v.eq(0.5f))
                    .intoArray(z, zOff + i);
        }
        for (; i < n; i++) z[zOff + i] = ScalarMath.pow(a == null ? sa : a[aOff + i], b == null ? sb : b[bOff + i]);
    }

    @Override
    public void maxPoolTap(float[] x, int xOff, int[] corner, int atOff, boolean first,
                           float[] best, int[] at, int bOff, int n) {
        if (VectorPooling.fits(n)) VectorPooling.maxPoolTap(x, xOff, corner, atOff, first, best, at, bOff, n);
        else Backend.super.maxPoolTap(x, xOff, corner, atOff, first, best, at, bOff, n);
    }
}
