package dev.tersor.tensor.backend.vector;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The max-pooling tap ({@link dev.tersor.tensor.backend.Backend#maxPoolTap}) in lanes: a gather
 * of one tap of {@code L} windows, a compare and two blends. Written with masks rather than
 * scalar selects because C2 compiles a scalar select to a branch when the profile says it is
 * rarely taken, and on real activations (quantized ones above all: many ties) that branch is
 * mispredicted often enough to make the pool twice as slow. A run shorter than one vector goes
 * through the scalar loop; otherwise the last vector overlaps the one before (a tap applied
 * twice changes nothing), so no lane is left to a tail.
 */
final class VectorPooling {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> I = S.withLanes(int.class);
    private static final int L = S.length();

    private VectorPooling() {
    }

    /** Whether {@link #maxPoolTap} runs in lanes for {@code n} windows (else the caller's scalar loop does). */
    static boolean fits(int n) {
        return n >= L;
    }

    /** See {@link dev.tersor.tensor.backend.Backend#maxPoolTap}; needs {@code n >= L}. */
    static void maxPoolTap(float[] x, int xOff, int[] corner, int atOff, boolean first,
                           float[] best, int[] at, int bOff, int n) {
        if (first) store(x, xOff, corner, atOff, best, at, bOff, n);
        else if (at == null) maxValues(x, xOff, corner, best, bOff, n);
        else maxWithIndex(x, xOff, corner, atOff, best, at, bOff, n);
    }

    /** The first tap: its values (and indices) as they are. */
    private static void store(float[] x, int xOff, int[] corner, int atOff, float[] best, int[] at, int bOff, int n) {
        for (int i = 0; ; i += L) {
            if (i > n - L) i = n - L;
            FloatVector.fromArray(S, x, xOff, corner, i).intoArray(best, bOff + i);
            if (at != null) IntVector.fromArray(I, corner, i).add(atOff).intoArray(at, bOff + i);
            if (i == n - L) return;
        }
    }

    private static void maxValues(float[] x, int xOff, int[] corner, float[] best, int bOff, int n) {
        for (int i = 0; ; i += L) {
            if (i > n - L) i = n - L;
            FloatVector v = FloatVector.fromArray(S, x, xOff, corner, i);
            FloatVector b = FloatVector.fromArray(S, best, bOff + i);
            b.blend(v, takes(v, b)).intoArray(best, bOff + i);
            if (i == n - L) return;
        }
    }

    private static void maxWithIndex(float[] x, int xOff, int[] corner, int atOff, float[] best, int[] at, int bOff, int n) {
        for (int i = 0; ; i += L) {
            if (i > n - L) i = n - L;
            FloatVector v = FloatVector.fromArray(S, x, xOff, corner, i);
            FloatVector b = FloatVector.fromArray(S, best, bOff + i);
            VectorMask<Float> take = takes(v, b);
            b.blend(v, take).intoArray(best, bOff + i);
            IntVector a = IntVector.fromArray(I, at, bOff + i);
            a.blend(IntVector.fromArray(I, corner, i).add(atOff), take.cast(I)).intoArray(at, bOff + i);
            if (i == n - L) return;
        }
    }

    /** Lanes where {@code v} replaces {@code best}: greater, or NaN. */
    private static VectorMask<Float> takes(FloatVector v, FloatVector best) {
        return v.compare(VectorOperators.GT, best).or(v.test(VectorOperators.IS_NAN));
    }
}
