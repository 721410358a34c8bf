package dev.tersor.compress.quant;

import dev.tersor.tensor.Tensor;
import java.util.function.Function;

/**
 * Smooth stand-ins for fake quantization, for finite-difference checks of straight-through
 * gradients. Rounding is replaced by a residual frozen at the base point (the "round_pass"
 * trick of the LSQ and PAMS code: {@code (round(z) − z).detach() + z}), so each surrogate equals
 * the fake-quantized value at the base point and its true derivative is the straight-through
 * rule there. Clamping stays, so inputs must be kept off the window's edges.
 */
final class Surrogate {
    private Surrogate() {
    }

    /**
     * {@code s'·(clamp(x/s', lo, hi) + ρ)} with {@code s' = g·s + (1 − g)·s₀} (LSQ's grad_scale:
     * value s₀ at the base point, gradient g) and {@code ρ = x̂₀/s₀ − clamp(x₀/s₀, lo, hi)}
     * frozen at the base point (x₀, s₀). Its derivatives are FakeQuantize's LSQ rule for the
     * window [lo, hi] (in units of the step).
     */
    static Function<Tensor[], Tensor> lsq(Tensor x0, Tensor s0, float g, float lo, float hi, Tensor xHat0) {
        float sv = s0.item();
        Tensor rho;
        try (var n = Tensor.noGrad()) {
            rho = xHat0.div(sv).sub(x0.detach().mul(1f / sv).clamp(lo, hi));
        }
        return in -> {
            Tensor sp = in[1].mul(g).add((1 - g) * sv);
            return sp.mul(in[0].div(sp).clamp(lo, hi).add(rho));
        };
    }

    /** PACT: {@code min(max(x, 0), α) + c} with {@code c = x̂₀ − clamp(x₀, 0, α₀)} frozen. */
    static Function<Tensor[], Tensor> pact(Tensor x0, Tensor alpha0, Tensor xHat0) {
        Tensor c;
        try (var n = Tensor.noGrad()) {
            c = xHat0.sub(x0.detach().clamp(0f, alpha0.item()));
        }
        return in -> in[0].maximum(Tensor.zeros(1)).minimum(in[1]).add(c);
    }

    /**
     * The official PAMS activation ({@code pams_quant_act.forward} after the EMA epoch) with
     * {@code round} replaced by a frozen residual: {@code act = max(min(x, α), −α)},
     * {@code (act·q/α + ρ)·α/q}.
     */
    static Function<Tensor[], Tensor> pams(Tensor x0, Tensor alpha0, int q, Tensor xHat0) {
        float a0 = alpha0.item();
        Tensor rho;
        try (var n = Tensor.noGrad()) {
            rho = xHat0.mul(q / a0).sub(x0.detach().clamp(-a0, a0).mul(q / a0));
        }
        return in -> {
            Tensor act = in[0].minimum(in[1]).maximum(in[1].neg());
            return act.mul(q).div(in[1]).add(rho).mul(in[1]).div(q);
        };
    }

    /**
     * A function whose autograd gradient is {@code op}'s and whose value (what finite differences
     * see) is {@code smooth}'s: {@code op − op.detach() + smooth.detach()}.
     */
    static Function<Tensor[], Tensor> autogradOf(Function<Tensor[], Tensor> op, Function<Tensor[], Tensor> smooth) {
        return in -> {
            Tensor y = op.apply(in);
            return y.sub(y.detach()).add(smooth.apply(in).detach());
        };
    }
}
