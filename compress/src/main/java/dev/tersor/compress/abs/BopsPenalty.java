package dev.tersor.compress.abs;

import dev.tersor.tensor.Tensor;
import java.util.List;

/**
 * Bit operations of super-bit layers as a differentiable function of their gates, and the budget
 * penalty added to the loss. For one layer with per-sample multiply-accumulates {@code MACs},
 * channel (0-bit) gates c [K], weight gates g^w [m_w] and input gates g^a [m_a]:
 * <pre>
 * bits(g) = Σ_j (g_0···g_j)·(b_j − b_{j−1}),   b_{−1} = 0      (= b_J when the gates stop at candidate J)
 * BOPs    = MACs · mean_k(c_k) · bits(g^w) · bits(g^a)           (a pruned filter's MACs are saved)
 * penalty = λ · max(0, Σ_layers BOPs / budget − 1)
 * </pre>
 * Every factor is multilinear in the gates, so with straight-through gates the penalty's
 * gradient says what switching each gate off would save. Results are scalars (shape []).
 */
public final class BopsPenalty {
    private BopsPenalty() {
    }

    /** {@code bits(g)} for gates [m] over candidates {@code bits} (ascending). */
    public static Tensor bits(Tensor gates, List<Integer> bits) {
        if (gates.numel() != bits.size()) {
            throw new IllegalArgumentException("BopsPenalty: " + bits.size() + " candidates need " + bits.size() + " gates, got " + gates.numel());
        }
        Tensor flat = gates.reshape(gates.numel());
        Tensor on = null, out = null;
        for (int j = 0; j < bits.size(); j++) {
            Tensor g = flat.narrow(0, j, 1).sum();
            on = on == null ? g : on.mul(g);
            Tensor step = on.mul((float) (bits.get(j) - (j == 0 ? 0 : bits.get(j - 1))));
            out = out == null ? step : out.add(step);
        }
        return out;
    }

    /** The BOPs of one layer: {@code MACs·mean(c)·bits(g^w)·bits(g^a)}. */
    public static Tensor layer(long macs, Tensor channelGates, Tensor weightGates, List<Integer> weightBits, Tensor inputGates,
                               List<Integer> inputBits) {
        if (macs < 0) throw new IllegalArgumentException("BopsPenalty: MACs must be >= 0, got " + macs);
        return channelGates.mean().mul(bits(weightGates, weightBits)).mul(bits(inputGates, inputBits)).mul((float) macs);
    }

    /** {@code λ·max(0, total/budget − 1)}, 0 at and under the budget. */
    public static Tensor hinge(Tensor total, double budget, float lambda) {
        if (!(budget > 0) || !Double.isFinite(budget)) throw new IllegalArgumentException("BopsPenalty: budget must be positive, got " + budget);
        if (!(lambda >= 0) || !Float.isFinite(lambda)) throw new IllegalArgumentException("BopsPenalty: λ must be >= 0, got " + lambda);
        return total.mul((float) (1 / budget)).sub(1f).relu().mul(lambda);
    }
}
