package dev.tersor.tensor.backend.vector;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@code exp} and {@code tanh} on float vectors from IEEE operations alone (add, multiply, fused
 * multiply-add, divide, compare, blend, bit moves), so that every lane's result is the same
 * whichever way the JVM runs the code: the Vector API's Java fallback in the interpreter and C1,
 * or C2's intrinsics. The platform's vector math library (SVML on x86, behind
 * {@code VectorOperators.EXP} and {@code TANH}) is not: its results differ from the fallback's
 * {@code StrictMath} in the last bit, so a model gave slightly different outputs before and after
 * its kernels were compiled.
 *
 * <p>exp: {@code x = n·ln2 + r} with {@code n = rint(x/ln2)} (the 1.5·2²³ rounding trick; its bits
 * hold n) and {@code r} by Cody and Waite's two-part ln2, then {@code e^r = 1 + r + r²·P(r)}, P the
 * degree-5 minimax polynomial of Cephes' {@code expf} on [−ln2/2, ln2/2], and the result scaled
 * by 2ⁿ as two powers of two (so subnormal results and overflow to ∞ come out right). Inputs are
 * clamped to [−104, 89] first: beyond them the float result is 0 or ∞ anyway; NaN stays NaN.
 * Within about 2 ulp of {@code (float) Math.exp} on the whole range.
 *
 * <p>tanh: for |x| < 0.625 the odd polynomial of Cephes' {@code tanhf}
 * ({@code x + x³·Q(x²)}), which avoids the cancellation of {@code 1 − e}; above,
 * {@code 1 − 2/(e^{2|x|} + 1)} with the sign of x. Within about 2 ulp of {@code Math.tanh}.
 *
 * <p>Both are small enough for C2 to inline into the loops that call them (a helper it does not
 * inline boxes its vectors).
 */
final class VectorMath {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693359375f, LN2_LO = -2.12194440e-4f;
    private static final float ROUND = 12582912f;                 // 1.5·2²³: t + ROUND rounds t to an integer in its low bits
    private static final int ROUND_BITS = Float.floatToRawIntBits(ROUND);
    private static final float EXP_LO = -104f, EXP_HI = 89f;

    private VectorMath() {
    }

    /** e^x lane by lane (see the class comment); {@code x} must be of the preferred species. */
    static FloatVector exp(FloatVector x) {
        FloatVector c = x.max(EXP_LO).min(EXP_HI);                               // NaN propagates through max/min
        FloatVector t = c.fma(FloatVector.broadcast(S, LOG2E), FloatVector.broadcast(S, ROUND));
        FloatVector n = t.sub(ROUND);                                            // rint(c·log2 e), exactly
        FloatVector r = n.fma(FloatVector.broadcast(S, -LN2_HI), c);
        r = n.fma(FloatVector.broadcast(S, -LN2_LO), r);
        FloatVector p = r.mul(1.9875691500e-4f).add(1.3981999507e-3f);
        p = p.fma(r, FloatVector.broadcast(S, 8.3334519073e-3f));
        p = p.fma(r, FloatVector.broadcast(S, 4.1665795894e-2f));
        p = p.fma(r, FloatVector.broadcast(S, 1.6666665459e-1f));
        p = p.fma(r, FloatVector.broadcast(S, 5.0000001201e-1f));
        FloatVector er = p.mul(r.mul(r)).add(r).add(1f);
        IntVector k = t.reinterpretAsInts().sub(ROUND_BITS);                     // n as an int, in [−150, 128]
        IntVector k1 = k.lanewise(VectorOperators.ASHR, 1), k2 = k.sub(k1);
        FloatVector s1 = k1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector s2 = k2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return er.mul(s1).mul(s2);
    }

    /**
     * tanh x lane by lane (see the class comment), given {@code e = exp(2|x|)} from {@link #exp}:
     * the caller computes it, because C2 (JDK 17) does not inline a call to exp made from here and
     * then boxes every vector.
     */
    static FloatVector tanh(FloatVector x, FloatVector e) {
        FloatVector a = x.abs();
        FloatVector z = x.mul(x);
        FloatVector q = z.mul(-5.70498872745e-3f).add(2.06390887954e-2f);
        q = q.fma(z, FloatVector.broadcast(S, -5.37397155531e-2f));
        q = q.fma(z, FloatVector.broadcast(S, 1.33314422036e-1f));
        q = q.fma(z, FloatVector.broadcast(S, -3.33332819422e-1f));
        FloatVector small = q.mul(z).fma(x, x);
        FloatVector big = FloatVector.broadcast(S, 1f).sub(FloatVector.broadcast(S, 2f).div(e.add(1f)));
        big = big.blend(big.neg(), x.compare(VectorOperators.LT, 0f));
        return big.blend(small, a.compare(VectorOperators.LT, 0.625f))
                .blend(x, a.compare(VectorOperators.LT, 1e-4f));   // tanh x rounds to x there; keeps -0
    }
}
