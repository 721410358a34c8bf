package dev.tersor.compress.prune;

/**
 * The arithmetic of one {@link Cogd} step for the C output channels of one layer, on plain
 * arrays: the sparse variable is the soft mask m (one value per channel), the coupled variable
 * A_k is everything that produces channel k before the mask (filter W[k], bias, batch-norm γ_k,
 * β_k). With the loss L, λ the L1 strength, η1 the mask rate and η2 the filter rate:
 * <pre>
 * m_k ← S(m_k − η1·∂L/∂m_k, η1·λ)          S(v, a) = sign(v)·max(|v| − a, 0)   (proximal L1 step)
 * A_k ← A_k − η2·∂L/∂A_k                   (plain gradient descent, every channel)
 * B_k = rank(|m_k|) &lt; ⌊τ·C⌋  and  rank(‖A_k‖) ≥ ⌊τ·C⌋                       (asynchronous convergence)
 * if B_k:  A_k ← A_k − s_k·A_k⁻,   s_k = η2·g_k·p_k                           (cogradient step)
 *   g_k = ∂L/∂m_k + λ·sign(m_k⁻)            the gradient of the objective in the mask
 *   p_k = min(|m_k − m_k⁻| / (‖A_k − A_k⁻‖ + ε), 1),  ε = 1e-5
 * </pre>
 * where ⁻ marks values before the step, ranks are 0-based and ascending within the layer (ties by
 * channel index), norms are Euclidean. When no channel is asynchronous every A_k gets exactly the
 * plain gradient-descent step. The cogradient step is the chain rule through a projection m = P(A)
 * (dG/dA = ∂G/∂A + ∂G/∂m·∂m/∂A) with ∂m_k/∂A_k taken as p_k·A_k⁻, the form of the CoGD authors'
 * official code (its {@code backtracking_btb.m}: {@code d + c·p·d_old}, p the clipped ratio of the
 * two variables' changes); see {@link Cogd} and docs/pruning.md for what is the paper's and what
 * is this project's.
 */
final class CogdStep {
    /** ε of p_k, as the official code. */
    static final double EPS = 1e-5;

    private CogdStep() {
    }

    /** m ← S(m − η1·grad, η1·λ): the new mask. */
    static float[] mask(float[] m, float[] lossGrad, double eta1, double lambda) {
        float[] out = new float[m.length];
        double a = eta1 * lambda;
        for (int k = 0; k < m.length; k++) {
            double v = m[k] - eta1 * lossGrad[k];
            out[k] = (float) (Math.signum(v) * Math.max(Math.abs(v) - a, 0));
        }
        return out;
    }

    /** B_k: the mask is among the ⌊τ·C⌋ nearest zero while its coupled variable is not among the ⌊τ·C⌋ smallest. */
    static boolean[] asynchronous(float[] mask, double[] coupledNorms, double tau) {
        int c = mask.length, t = (int) Math.floor(tau * c);
        double[] am = new double[c];
        for (int k = 0; k < c; k++) am[k] = Math.abs(mask[k]);
        int[] rm = ranks(am), ra = ranks(coupledNorms);
        boolean[] out = new boolean[c];
        for (int k = 0; k < c; k++) out[k] = rm[k] < t && ra[k] >= t;
        return out;
    }

    /**
     * s_k = η2·g_k·p_k of each asynchronous channel (0 for the others).
     *
     * @param before masks before the step, {@code after} after it
     * @param coupledSteps ‖A_k − A_k⁻‖ of the plain gradient step
     */
    static double[] pull(boolean[] async, float[] before, float[] after, float[] lossGrad, double lambda, double[] coupledSteps,
                         double eta2) {
        double[] s = new double[before.length];
        for (int k = 0; k < s.length; k++) {
            if (!async[k]) continue;
            double g = lossGrad[k] + lambda * Math.signum(before[k]);
            double p = Math.min(Math.abs(after[k] - before[k]) / (coupledSteps[k] + EPS), 1);
            s[k] = eta2 * g * p;
        }
        return s;
    }

    /** 0-based ascending rank of each value, ties by index. */
    static int[] ranks(double[] v) {
        Integer[] order = new Integer[v.length];
        for (int i = 0; i < v.length; i++) order[i] = i;
        java.util.Arrays.sort(order, (a, b) -> v[a] != v[b] ? Double.compare(v[a], v[b]) : Integer.compare(a, b));
        int[] rank = new int[v.length];
        for (int r = 0; r < order.length; r++) rank[order[r]] = r;
        return rank;
    }
}
