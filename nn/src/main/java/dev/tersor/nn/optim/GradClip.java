package dev.tersor.nn.optim;

import dev.tersor.nn.Parameter;
import dev.tersor.tensor.Tensor;
import dev.tersor.tensor.backend.Backend;
import dev.tersor.tensor.backend.Backends;
import dev.tersor.tensor.backend.Parallel;
import dev.tersor.tensor.backend.ReduceOp;
import java.util.ArrayList;
import java.util.List;

/**
 * Gradient clipping by total norm, as PyTorch 1.13's {@code torch.nn.utils.clip_grad_norm_}:
 * <pre>
 * total = ‖(‖g₁‖, ‖g₂‖, …)‖        (p-norm of the per-parameter p-norms; max for p = ∞)
 * gᵢ    = gᵢ · min(1, maxNorm / (total + 1e-6))
 * </pre>
 * <pre>{@code
 * loss.backward();
 * double norm = GradClip.clipGradNorm(model.parameters(), 1.0);
 * opt.step();
 * }</pre>
 * Parameters without a gradient are ignored. Each gradient is read once for its norm and, when
 * clipped, scaled in place in one more pass; neither pass allocates a full-size temporary.
 */
public final class GradClip {
    private GradClip() {
    }

    /** Clips by the total 2-norm; returns the norm before clipping. */
    public static double clipGradNorm(Iterable<Parameter> params, double maxNorm) {
        return clipGradNorm(params, maxNorm, 2.0, false);
    }

    /** Clips by the total {@code normType}-norm; returns the norm before clipping. */
    public static double clipGradNorm(Iterable<Parameter> params, double maxNorm, double normType) {
        return clipGradNorm(params, maxNorm, normType, false);
    }

    /**
     * Clips by the total {@code normType}-norm ({@code > 0}, or {@link Double#POSITIVE_INFINITY}
     * for the largest absolute value) and returns the norm before clipping. When that norm is
     * NaN or infinite, {@code errorIfNonfinite} throws an {@link IllegalStateException} naming
     * the parameters whose gradients are not finite, changing nothing; otherwise the gradients
     * are scaled as PyTorch does (by NaN for a NaN norm, by 0 for an infinite one) and the
     * non-finite norm is returned, so callers can test {@link Double#isFinite} and skip the step.
     */
    public static double clipGradNorm(Iterable<Parameter> params, double maxNorm, double normType, boolean errorIfNonfinite) {
        if (!(maxNorm >= 0)) throw new IllegalArgumentException("clipGradNorm: maxNorm must be >= 0, got " + maxNorm);
        if (!(normType > 0)) throw new IllegalArgumentException("clipGradNorm: normType must be > 0 or infinity, got " + normType);
        List<Tensor> grads = new ArrayList<>();
        List<Double> norms = new ArrayList<>();
        List<Integer> positions = new ArrayList<>();
        boolean inf = Double.isInfinite(normType);
        double total = 0;
        try (var scope = Tensor.noGrad()) {
            int position = -1;
            for (Parameter p : params) {
                position++;
                Tensor g = p.grad();
                if (g == null) continue;
                double n = norm(g.contiguous(), normType);
                grads.add(g);
                norms.add(n);
                positions.add(position);
                if (inf) total = Double.isNaN(n) || Double.isNaN(total) ? Double.NaN : Math.max(total, n);
                else total += Math.pow(n, normType);
            }
            if (grads.isEmpty()) return 0.0;
            if (!inf) total = Math.pow(total, 1 / normType);
            if (!Double.isFinite(total) && errorIfNonfinite) {
                List<String> bad = new ArrayList<>();
                for (int i = 0; i < norms.size(); i++) {
                    if (!Double.isFinite(norms.get(i))) bad.add("#" + positions.get(i) + " (" + norms.get(i) + ")");
                }
                throw new IllegalStateException("clipGradNorm: the total " + normType + "-norm of " + grads.size()
                        + " gradients is " + total + "; non-finite gradient norms at parameters " + bad
                        + (bad.isEmpty() ? " (none: the sum overflowed)" : ""));
            }
            double coef = maxNorm / (total + 1e-6);
            if (Double.isNaN(coef) || coef < 1) {
                for (Tensor g : grads) scale(g, (float) coef);
            }
        }
        return total;
    }

    /**
     * The {@code normType}-norm of a contiguous tensor, rounded to float as PyTorch's float32
     * per-tensor norm: {@code (Σ |x|^p)^(1/p)}, {@code √(Σ x²)} through the backend's
     * {@code SUM_SQUARES} kernel, or {@code max |x|} (NaN if any element is NaN). Partial results
     * of fixed blocks of {@link FusedUpdate#GRAIN} elements are computed in parallel and added
     * in double in block order, so the norm does not depend on the number of threads.
     */
    static double norm(Tensor t, double normType) {
        float[] d = t.data();
        int off = t.dataOffset(), n = t.numel();
        if (n == 0) return 0;
        int blocks = (n + FusedUpdate.GRAIN - 1) / FusedUpdate.GRAIN;
        double[] partial = new double[blocks];
        boolean inf = Double.isInfinite(normType);
        Backend be = Backends.current();
        Parallel.forRange(blocks, 1, (from, to) -> {
            for (int k = from; k < to; k++) {
                int lo = off + k * FusedUpdate.GRAIN, len = Math.min(FusedUpdate.GRAIN, n - k * FusedUpdate.GRAIN);
                partial[k] = blockNorm(be, d, lo, len, normType);
            }
        });
        double acc = partial[0];
        for (int k = 1; k < blocks; k++) acc = inf ? Math.max(acc, partial[k]) : acc + partial[k];   // max propagates NaN
        if (inf) return acc;
        return (float) (normType == 2 ? Math.sqrt(acc) : normType == 1 ? acc : Math.pow(acc, 1 / normType));
    }

    /** {@code max |x|}, {@code Σ x²} or {@code Σ |x|^p} over {@code d[lo, lo + len)}. */
    private static double blockNorm(Backend be, float[] d, int lo, int len, double normType) {
        if (normType == Double.POSITIVE_INFINITY) {
            return Math.max(be.reduce(ReduceOp.MAX, d, lo, len), -be.reduce(ReduceOp.MIN, d, lo, len));
        }
        if (normType == 2) return be.reduce(ReduceOp.SUM_SQUARES, d, lo, len);
        double s = 0;
        if (normType == 1) {
            for (int i = lo; i < lo + len; i++) s += Math.abs(d[i]);
        } else {
            for (int i = lo; i < lo + len; i++) s += Math.pow(Math.abs(d[i]), normType);
        }
        return s;
    }

    /** {@code g = g·coef} in place: one pass, split over threads (a strided gradient goes through a tensor op). */
    private static void scale(Tensor g, float coef) {
        if (!g.isContiguous()) {
            g.mulInPlace(coef);
            return;
        }
        float[] d = g.data();
        int off = g.dataOffset();
        Parallel.forRange(g.numel(), FusedUpdate.GRAIN, (from, to) -> {
            for (int i = off + from; i < off + to; i++) d[i] = d[i] * coef;
        });
        g.markModified();
    }
}
