package dev.tersor.compress.prune;

import dev.tersor.nn.Module;
import dev.tersor.tensor.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Copies a layer's state into a freshly built smaller one by slicing each tensor: axis 0 keeps
 * {@code keptOut} (weights [out, in, ...], biases and per-channel vectors [out]), axis 1 of a
 * tensor of rank ≥ 2 keeps {@code keptIn}; other axes must not change. A tensor whose shapes differ
 * any other way means the layer cannot be sliced channel by channel, an error naming the tensor.
 */
final class StateTransfer {
    private StateTransfer() {
    }

    /** Fills {@code fresh} with the slices of {@code old}'s state and returns it. */
    static <M extends Module> M copy(Module old, M fresh, int[] keptIn, int[] keptOut) {
        Map<String, Tensor> src = old.stateDict(), dst = fresh.stateDict();
        if (!src.keySet().equals(dst.keySet())) {
            throw new IllegalStateException(old.getClass().getSimpleName() + ": state keys " + src.keySet()
                    + " differ from the rebuilt layer's " + dst.keySet());
        }
        Map<String, Tensor> sliced = new LinkedHashMap<>();
        for (var e : src.entrySet()) {
            Tensor t = e.getValue();
            int[] want = dst.get(e.getKey()).shape();
            sliced.put(e.getKey(), slice(old, e.getKey(), t, want, keptIn, keptOut));
        }
        fresh.loadStateDict(sliced, true);
        return fresh;
    }

    private static Tensor slice(Module old, String key, Tensor t, int[] want, int[] keptIn, int[] keptOut) {
        int[] have = t.shape();
        if (have.length != want.length) throw mismatch(old, key, have, want);
        Tensor out = t;
        for (int d = 0; d < have.length; d++) {
            if (have[d] == want[d]) continue;
            int[] keep = d == 0 ? keptOut : d == 1 ? keptIn : null;
            if (keep == null || keep.length != want[d]) throw mismatch(old, key, have, want);
            out = select(out, d, keep);
        }
        return out;
    }

    /** The entries of {@code t} at indices {@code keep} along axis {@code dim} (a new contiguous tensor). */
    static Tensor select(Tensor t, int dim, int[] keep) {
        int[] shape = t.shape();
        float[] src = t.contiguous().toArray();
        int outer = 1, inner = 1;
        for (int d = 0; d < dim; d++) outer *= shape[d];
        for (int d = dim + 1; d < shape.length; d++) inner *= shape[d];
        float[] dst = new float[outer * keep.length * inner];
        for (int o = 0, k = 0; o < outer; o++) {
            for (int idx : keep) {
                System.arraycopy(src, (o * shape[dim] + idx) * inner, dst, k, inner);
                k += inner;
            }
        }
        int[] s = shape.clone();
        s[dim] = keep.length;
        return Tensor.fromArray(dst, s);
    }

    private static IllegalStateException mismatch(Module old, String key, int[] have, int[] want) {
        return new IllegalStateException(old.getClass().getSimpleName() + "." + key + ": cannot slice " + Arrays.toString(have)
                + " to " + Arrays.toString(want) + " by channels");
    }
}
