package dev.tersor.tensor.sparse;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** {@link CsrAxpy} with the Vector API: broadcast v, then multiply and add a vector at a time (not fused), the tail scalar. */
final class CsrVectorAxpy implements CsrAxpy {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    @Override
    public void axpy(float v, float[] b, int src, float[] c, int dst, int len) {
        int j = 0, bound = S.loopBound(len);
        FloatVector vv = FloatVector.broadcast(S, v);
        for (; j < bound; j += S.length()) {
            FloatVector.fromArray(S, b, src + j).mul(vv).add(FloatVector.fromArray(S, c, dst + j)).intoArray(c, dst + j);
        }
        for (; j < len; j++) c[dst + j] += v * b[src + j];
    }
}
