package dev.tersor.compress.cluster;

import java.util.Arrays;

/**
 * A 1-D clustering of n weights: k strictly increasing centres and each weight's cluster index,
 * so weight i is represented by {@code centres[indices[i]]}; {@code sse = Σ_i (w_i − centres[indices[i]])²}
 * (accumulated in double against the float centres). Arrays are copied in and out.
 *
 * @param centres the k cluster values, finite and strictly increasing (k ≥ 1)
 * @param indices for each weight, in its original order, a centre index in {@code [0, k)}
 * @param sse     the total squared error of the weights against their centres, finite and ≥ 0
 */
public record Clusters(float[] centres, int[] indices, double sse) {
    public Clusters {
        if (centres == null || centres.length == 0) throw new IllegalArgumentException("clusters need at least one centre");
        if (indices == null) throw new IllegalArgumentException("clusters need an index array");
        centres = centres.clone();
        indices = indices.clone();
        for (int j = 0; j < centres.length; j++) {
            if (!Float.isFinite(centres[j])) throw new IllegalArgumentException("centre " + j + " is " + centres[j]);
            if (j > 0 && !(centres[j] > centres[j - 1])) {
                throw new IllegalArgumentException("centres must be strictly increasing, but centre " + j + " = " + centres[j]
                        + " follows " + centres[j - 1]);
            }
        }
        for (int i = 0; i < indices.length; i++) {
            if (indices[i] < 0 || indices[i] >= centres.length) {
                throw new IllegalArgumentException("index " + indices[i] + " of weight " + i + " is outside [0, " + centres.length + ")");
            }
        }
        if (!(sse >= 0) || Double.isInfinite(sse)) throw new IllegalArgumentException("sse must be finite and >= 0, got " + sse);
    }

    /** Clusters of {@code weights} with the given centres and indices, their SSE measured here. */
    public static Clusters measure(float[] weights, float[] centres, int[] indices) {
        if (weights.length != indices.length) {
            throw new IllegalArgumentException(weights.length + " weights but " + indices.length + " indices");
        }
        double sse = 0;
        for (int i = 0; i < weights.length; i++) {
            double d = (double) weights[i] - centres[indices[i]];
            sse += d * d;
        }
        return new Clusters(centres, indices, sse);
    }

    /** A copy of the centres [k]. */
    @Override
    public float[] centres() {
        return centres.clone();
    }

    /** A copy of the indices [n]. */
    @Override
    public int[] indices() {
        return indices.clone();
    }

    /** The number of centres. */
    public int k() {
        return centres.length;
    }

    /** The number of weights. */
    public int n() {
        return indices.length;
    }

    /** The clustered weights {@code centres[indices[i]]} [n]. */
    public float[] values() {
        float[] out = new float[indices.length];
        for (int i = 0; i < out.length; i++) out[i] = centres[indices[i]];
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Clusters c && Arrays.equals(centres, c.centres) && Arrays.equals(indices, c.indices)
                && Double.compare(sse, c.sse) == 0;
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(centres) + Arrays.hashCode(indices)) + Double.hashCode(sse);
    }

    @Override
    public String toString() {
        return "Clusters[n=" + n() + ", k=" + k() + ", sse=" + sse + ", centres=" + Arrays.toString(centres) + "]";
    }

    /** The finite weights as given, or an exception naming the first NaN or infinite one. */
    static float[] checkFinite(float[] weights, int k) {
        if (k < 1) throw new IllegalArgumentException("number of clusters k must be >= 1, got " + k);
        if (weights.length == 0) throw new IllegalArgumentException("no weights to cluster");
        for (int i = 0; i < weights.length; i++) {
            if (!Float.isFinite(weights[i])) throw new IllegalArgumentException("weight " + i + " is " + weights[i] + "; clustering needs finite weights");
        }
        return weights;
    }
}
