package dev.tersor.compress.cluster;

import dev.tersor.tensor.Tensor;
import java.util.Arrays;

/**
 * The cluster indices of a layer kept as a float buffer (so state dicts and safetensors files
 * carry them, exact for k ≤ 2^24), and the checks both clustered layers share.
 */
final class Assignments {
    private Assignments() {
    }

    /** Validates a clustered layer's settings; returns n, the number of weights. */
    static int check(String layer, float[] centres, int[] indices, int[] weightShape, int rank, int bits) {
        if (bits < 1 || bits > 8) throw new IllegalArgumentException(layer + ": bits must be in 1..8, got " + bits);
        if (weightShape.length != rank) {
            throw new IllegalArgumentException(layer + ": weight shape must have " + rank + " dimensions, got " + Arrays.toString(weightShape));
        }
        long n = 1;
        for (int s : weightShape) {
            if (s <= 0) throw new IllegalArgumentException(layer + ": weight shape " + Arrays.toString(weightShape) + " has a size <= 0");
            n *= s;
        }
        if (n != indices.length) {
            throw new IllegalArgumentException(layer + ": weight shape " + Arrays.toString(weightShape) + " holds " + n + " weights but "
                    + indices.length + " indices were given");
        }
        if (centres.length < 1 || centres.length > 1 << bits) {
            throw new IllegalArgumentException(layer + ": " + centres.length + " centres do not fit in " + bits + " bits (1.." + (1 << bits) + ")");
        }
        for (int j = 0; j < centres.length; j++) {
            if (!Float.isFinite(centres[j])) throw new IllegalArgumentException(layer + ": centre " + j + " is " + centres[j]);
        }
        for (int i = 0; i < indices.length; i++) {
            if (indices[i] < 0 || indices[i] >= centres.length) {
                throw new IllegalArgumentException(layer + ": index " + indices[i] + " of weight " + i + " is outside [0, " + centres.length + ")");
            }
        }
        return (int) n;
    }

    /** The indices as a float tensor of the weight's shape. */
    static Tensor encode(int[] indices, int[] shape) {
        float[] f = new float[indices.length];
        for (int i = 0; i < f.length; i++) f[i] = indices[i];
        return Tensor.fromArray(f, shape);
    }

    /** The indices held in {@code buffer}; each must be an integer in [0, k) (a loaded state dict may hold anything). */
    static int[] decode(String layer, Tensor buffer, int k) {
        float[] f = buffer.toArray();
        int[] out = new int[f.length];
        for (int i = 0; i < f.length; i++) {
            int j = (int) f[i];
            if (j != f[i] || j < 0 || j >= k) {
                throw new IllegalArgumentException(layer + ": indices element " + i + " is " + f[i] + ", not an index in [0, " + k + ")");
            }
            out[i] = j;
        }
        return out;
    }
}
