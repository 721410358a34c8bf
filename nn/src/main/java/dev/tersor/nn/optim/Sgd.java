package dev.tersor.nn.optim;

import dev.tersor.nn.Parameter;
import dev.tersor.tensor.Tensor;
import dev.tersor.tensor.backend.Parallel;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and weight
 * decay, step for step as PyTorch 1.13's {@code torch.optim.SGD}:
 * <pre>
 * g = ∇p + weightDecay·p
 * b = g                                   (first step)
 * b = momentum·b + (1 − dampening)·g      (later steps)
 * g = nesterov ? g + momentum·b : b       (when momentum ≠ 0)
 * p = p − lr·g
 * </pre>
 * <pre>{@code
 * var sgd = new Sgd(model.parameters(), Sgd.options(0.1).momentum(0.9).nesterov(true).build());
 * }</pre>
 * State per parameter: {@code momentum_buffer} (when momentum ≠ 0).
 */
public final class Sgd extends Optimizer<Sgd.Options> {
    static final String MOMENTUM_BUFFER = "momentum_buffer";

    /**
     * SGD hyperparameters, validated: lr, momentum and weightDecay finite and {@code >= 0};
     * dampening finite; Nesterov needs momentum {@code > 0} and dampening 0.
     *
     * @param lr          learning rate
     * @param momentum    momentum factor (0: none)
     * @param dampening   dampening of the gradient added to the momentum buffer
     * @param weightDecay L2 penalty added to the gradient
     * @param nesterov    Nesterov momentum
     */
    public record Options(double lr, double momentum, double dampening, double weightDecay, boolean nesterov)
            implements OptimizerOptions<Options> {
        public Options {
            Checks.nonNegative("Sgd", "lr", lr);
            Checks.nonNegative("Sgd", "momentum", momentum);
            Checks.finite("Sgd", "dampening", dampening);
            Checks.nonNegative("Sgd", "weightDecay", weightDecay);
            if (nesterov && (momentum <= 0 || dampening != 0)) {
                throw new IllegalArgumentException("Sgd: nesterov requires momentum > 0 and dampening 0, got momentum "
                        + momentum + " and dampening " + dampening);
            }
        }

        @Override
        public Options withLr(double lr) {
            return new Options(lr, momentum, dampening, weightDecay, nesterov);
        }

        /** A builder starting from these values. */
        public Builder toBuilder() {
            return new Builder(lr).momentum(momentum).dampening(dampening).weightDecay(weightDecay).nesterov(nesterov);
        }

        @Override
        public Map<String, String> toMap() {
            Map<String, String> m = new LinkedHashMap<>();
            m.put("lr", Double.toString(lr));
            m.put("momentum", Double.toString(momentum));
            m.put("dampening", Double.toString(dampening));
            m.put("weight_decay", Double.toString(weightDecay));
            m.put("nesterov", Boolean.toString(nesterov));
            return m;
        }

        /** Parses {@link #toMap()} output. */
        public static Options fromMap(Map<String, String> m) {
            return new Options(Checks.doubleOf(m, "lr", "Sgd"), Checks.doubleOf(m, "momentum", "Sgd"),
                    Checks.doubleOf(m, "dampening", "Sgd"), Checks.doubleOf(m, "weight_decay", "Sgd"),
                    Checks.booleanOf(m, "nesterov", "Sgd"));
        }
    }

    /** Builds {@link Options}; everything but lr defaults to 0/false as in PyTorch. */
    public static final class Builder {
        private double lr, momentum, dampening, weightDecay;
        private boolean nesterov;

        private Builder(double lr) {
            this.lr = lr;
        }

        public Builder lr(double lr) {
            this.lr = lr;
            return this;
        }

        public Builder momentum(double momentum) {
            this.momentum = momentum;
            return this;
        }

        public Builder dampening(double dampening) {
            this.dampening = dampening;
            return this;
        }

        public Builder weightDecay(double weightDecay) {
            this.weightDecay = weightDecay;
            return this;
        }

        public Builder nesterov(boolean nesterov) {
            this.nesterov = nesterov;
            return this;
        }

        /** The validated options. */
        public Options build() {
            return new Options(lr, momentum, dampening, weightDecay, nesterov);
        }
    }

    /** A builder with learning rate {@code lr} (SGD has no default lr). */
    public static Builder options(double lr) {
        return new Builder(lr);
    }

    /** SGD over {@code params} in one group. */
    public Sgd(List<Parameter> params, Options options) {
        this(List.of(new ParamGroup<>(params, options)));
    }

    /** SGD over several groups. */
    public Sgd(List<ParamGroup<Options>> groups) {
        super(groups);
    }

    /**
     * One pass over the parameter {@code p}, its gradient {@code ∇p} and, with momentum, the
     * buffer {@code b}, in PyTorch's float order ({@code x + α·y} for {@code x.add_(y, alpha=α)}),
     * hyperparameters rounded to float as PyTorch hands them to its kernels:
     * <pre>
     * d = ∇p + wd·p                        (wd ≠ 0)
     * b = d                                (momentum, first step)
     * b = b·μ + (1 − dampening)·d          (momentum, later steps)
     * d = nesterov ? d + μ·b : b           (momentum)
     * p = p + (−lr)·d
     * </pre>
     */
    @Override
    protected void update(Tensor param, Tensor grad, ParamState state, Options o) {
        Tensor p = FusedUpdate.param(param), g = FusedUpdate.grad(name(), param, grad);
        boolean decay = o.weightDecay() != 0;
        float wd = (float) o.weightDecay(), negLr = (float) -o.lr();
        float[] pd = p.data(), gd = g.data();
        if (o.momentum() == 0) {
            Parallel.forRange(p.numel(), FusedUpdate.GRAIN, (from, to) -> {
                for (int i = from; i < to; i++) {
                    float d = decay ? gd[i] + wd * pd[i] : gd[i];
                    pd[i] = pd[i] + negLr * d;
                }
            });
        } else {
            boolean first = state.buffer(MOMENTUM_BUFFER) == null, nesterov = o.nesterov();
            Tensor b = FusedUpdate.buffer(state, MOMENTUM_BUFFER, param);
            float mu = (float) o.momentum(), keep = (float) (1 - o.dampening());
            float[] bd = b.data();
            Parallel.forRange(p.numel(), FusedUpdate.GRAIN, (from, to) -> {
                for (int i = from; i < to; i++) {
                    float d = decay ? gd[i] + wd * pd[i] : gd[i];
                    float v = first ? d : bd[i] * mu + keep * d;
                    bd[i] = v;
                    d = nesterov ? d + mu * v : v;
                    pd[i] = pd[i] + negLr * d;
                }
            });
            b.markModified();
        }
        FusedUpdate.finish(param, p);
    }

    @Override
    protected Set<String> bufferNames() {
        return Set.of(MOMENTUM_BUFFER);
    }

    @Override
    protected Options parseOptions(Map<String, String> values) {
        return Options.fromMap(values);
    }
}
