package dev.tersor.compress.sparse;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Unstructured magnitude selection (Han et al. 2015; Zhu &amp; Gupta 2017 §3): of the weights
 * still alive, keep the {@code k} of largest |w| and prune the rest, with
 * <pre>
 * k = max(1, round(n·(1 − s)))           n weights of the scope, target sparsity s ∈ [0, 1)
 * </pre>
 * over all chosen layers together ({@link PruningScope#GLOBAL}, one threshold) or per layer
 * ({@link PruningScope#LAYER}), as TensorFlow Model Optimization's {@code _update_mask} (which
 * also keeps at least one weight). Ties at the threshold are broken by position (layer, then
 * index: the earlier kept), so exactly {@code k} survive and the result is deterministic; TF
 * keeps every weight equal to the threshold instead. A weight already pruned ({@code alive}
 * false) is never revived, so masks only shrink (for {@link dev.tersor.compress.prune.AgpSchedule}).
 * <pre>{@code
 * List<boolean[]> keep = MagnitudePruning.select(List.of(w1, w2), null, 0.9, PruningScope.GLOBAL);
 * }</pre>
 */
public final class MagnitudePruning {
    private MagnitudePruning() {
    }

    /** {@code max(1, round(n·(1 − s)))}, at most n. */
    public static long keepCount(long n, double sparsity) {
        checkSparsity(sparsity);
        return Math.min(n, Math.max(1, Math.round(n * (1 - sparsity))));
    }

    /**
     * Which weights to keep.
     *
     * @param weights  each layer's weights (row-major, any shape), finite
     * @param alive    each layer's current mask (true = not yet pruned), or null for all alive
     * @param sparsity target fraction pruned in [0, 1); never reached below what {@code alive} already prunes
     * @return one keep-mask per layer, in order
     * @throws IllegalArgumentException for a sparsity outside [0, 1), a non-finite weight or masks that do not fit
     */
    public static List<boolean[]> select(List<float[]> weights, List<boolean[]> alive, double sparsity, PruningScope scope) {
        checkSparsity(sparsity);
        if (scope == null) throw new IllegalArgumentException("pruning scope is required (GLOBAL or LAYER)");
        if (alive != null && alive.size() != weights.size()) {
            throw new IllegalArgumentException(alive.size() + " masks for " + weights.size() + " layers");
        }
        List<float[]> scores = new ArrayList<>();
        for (int l = 0; l < weights.size(); l++) {
            float[] w = weights.get(l);
            boolean[] a = alive == null ? null : alive.get(l);
            if (a != null && a.length != w.length) throw new IllegalArgumentException("layer " + l + ": mask of " + a.length + " for " + w.length + " weights");
            float[] s = new float[w.length];
            for (int i = 0; i < w.length; i++) {
                if (!Float.isFinite(w[i])) throw new IllegalArgumentException("layer " + l + ": weight " + i + " is " + w[i]);
                s[i] = a != null && !a[i] ? -1f : Math.abs(w[i]);    // a pruned weight ranks below every live one
            }
            scores.add(s);
        }
        List<boolean[]> out = new ArrayList<>();
        if (scope == PruningScope.LAYER) {
            for (float[] s : scores) out.add(topK(List.of(s), sparsity).get(0));
        } else {
            out.addAll(topK(scores, sparsity));
        }
        return out;
    }

    /** Keeps the k largest scores ≥ 0 over all arrays together, ties by position. */
    private static List<boolean[]> topK(List<float[]> scores, double sparsity) {
        long n = 0, live = 0;
        for (float[] s : scores) {
            n += s.length;
            for (float v : s) if (v >= 0) live++;
        }
        if (n > Integer.MAX_VALUE - 8) throw new IllegalArgumentException(n + " weights are more than one selection handles");
        long k = Math.min(live, n == 0 ? 0 : keepCount(n, sparsity));
        List<boolean[]> out = new ArrayList<>();
        for (float[] s : scores) out.add(new boolean[s.length]);
        if (k == 0) return out;
        float[] all = new float[(int) n];
        int at = 0;
        for (float[] s : scores) {
            System.arraycopy(s, 0, all, at, s.length);
            at += s.length;
        }
        Arrays.sort(all);
        float threshold = all[(int) (n - k)];
        long above = 0;
        for (int i = (int) (n - k); i < n; i++) if (all[i] > threshold) above++;
        long ties = k - above;                 // how many equal to the threshold survive, the earliest first
        for (int l = 0; l < scores.size(); l++) {
            float[] s = scores.get(l);
            boolean[] keep = out.get(l);
            for (int i = 0; i < s.length; i++) {
                if (s[i] > threshold) keep[i] = true;
                else if (s[i] == threshold && ties > 0) {
                    keep[i] = true;
                    ties--;
                }
            }
        }
        return out;
    }

    static void checkSparsity(double sparsity) {
        if (!(sparsity >= 0 && sparsity < 1)) throw new IllegalArgumentException("sparsity must be in [0, 1), got " + sparsity);
    }
}
