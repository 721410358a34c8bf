package dev.tersor.nn.optim;

import dev.tersor.nn.Parameter;
import dev.tersor.tensor.Tensor;
import dev.tersor.tensor.backend.Parallel;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * RMSprop (Hinton), optionally centered (Graves) and with momentum, step for step as PyTorch
 * 1.13's {@code torch.optim.RMSprop}:
 * <pre>
 * g   = ∇p + weightDecay·p
 * s   = α·s + (1 − α)·g²
 * a   = α·a + (1 − α)·g                  (centered)
 * d   = √(s − a²) + eps   if centered,   √s + eps otherwise
 * b   = momentum·b + g/d,  p = p − lr·b  (momentum > 0)
 * p   = p − lr·g/d                       (otherwise)
 * </pre>
 * <pre>{@code
 * var opt = new RmsProp(model.parameters(), RmsProp.options().lr(1e-3).centered(true).build());
 * }</pre>
 * State per parameter: the step count, {@code square_avg}, {@code momentum_buffer} (momentum
 * > 0) and {@code grad_avg} (centered).
 */
public final class RmsProp extends Optimizer<RmsProp.Options> {
    static final String SQUARE_AVG = "square_avg";
    static final String MOMENTUM_BUFFER = "momentum_buffer";
    static final String GRAD_AVG = "grad_avg";

    /**
     * RMSprop hyperparameters, validated: lr, alpha, eps, momentum and weightDecay finite and
     * {@code >= 0}.
     *
     * @param lr          learning rate
     * @param alpha       smoothing constant of the running averages
     * @param eps         added to the denominator
     * @param weightDecay L2 penalty added to the gradient
     * @param momentum    momentum factor (0: none)
     * @param centered    normalise by the estimated variance instead of the raw second moment
     */
    public record Options(double lr, double alpha, double eps, double weightDecay, double momentum, boolean centered)
            implements OptimizerOptions<Options> {
        public Options {
            Checks.nonNegative("RmsProp", "lr", lr);
            Checks.nonNegative("RmsProp", "alpha", alpha);
            Checks.nonNegative("RmsProp", "eps", eps);
            Checks.nonNegative("RmsProp", "weightDecay", weightDecay);
            Checks.nonNegative("RmsProp", "momentum", momentum);
        }

        @Override
        public Options withLr(double lr) {
            return new Options(lr, alpha, eps, weightDecay, momentum, centered);
        }

        /** A builder starting from these values. */
        public Builder toBuilder() {
            return new Builder(this);
        }

        @Override
        public Map<String, String> toMap() {
            Map<String, String> m = new LinkedHashMap<>();
            m.put("lr", Double.toString(lr));
            m.put("alpha", Double.toString(alpha));
            m.put("eps", Double.toString(eps));
            m.put("weight_decay", Double.toString(weightDecay));
            m.put("momentum", Double.toString(momentum));
            m.put("centered", Boolean.toString(centered));
            return m;
        }

        /** Parses {@link #toMap()} output. */
        public static Options fromMap(Map<String, String> m) {
            return new Options(Checks.doubleOf(m, "lr", "RmsProp"), Checks.doubleOf(m, "alpha", "RmsProp"),
                    Checks.doubleOf(m, "eps", "RmsProp"), Checks.doubleOf(m, "weight_decay", "RmsProp"),
                    Checks.doubleOf(m, "momentum", "RmsProp"), Checks.booleanOf(m, "centered", "RmsProp"));
        }
    }

    /** Builds {@link Options}. */
    public static final class Builder {
        private double lr, alpha, eps, weightDecay, momentum;
        private boolean centered;

        private Builder(Options o) {
            lr = o.lr;
            alpha = o.alpha;
            eps = o.eps;
            weightDecay = o.weightDecay;
            momentum = o.momentum;
            centered = o.centered;
        }

        public Builder lr(double lr) {
            this.lr = lr;
            return this;
        }

        public Builder alpha(double alpha) {
            this.alpha = alpha;
            return this;
        }

        public Builder eps(double eps) {
            this.eps = eps;
            return this;
        }

        public Builder weightDecay(double weightDecay) {
            this.weightDecay = weightDecay;
            return this;
        }

        public Builder momentum(double momentum) {
            this.momentum = momentum;
            return this;
        }

        public Builder centered(boolean centered) {
            this.centered = centered;
            return this;
        }

        /** The validated options. */
        public Options build() {
            return new Options(lr, alpha, eps, weightDecay, momentum, centered);
        }
    }

    /** A builder with PyTorch's defaults: lr 1e-2, alpha 0.99, eps 1e-8, no weight decay or momentum, not centered. */
    public static Builder options() {
        return new Builder(new Options(1e-2, 0.99, 1e-8, 0, 0, false));
    }

    /** RMSprop over {@code params} in one group. */
    public RmsProp(List<Parameter> params, Options options) {
        this(List.of(new ParamGroup<>(params, options)));
    }

    /** RMSprop over several groups. */
    public RmsProp(List<ParamGroup<Options>> groups) {
        super(groups);
    }

    /**
     * One pass over the parameter {@code p}, its gradient {@code ∇p} and the buffers {@code s},
     * {@code a} (centered) and {@code b} (momentum), in PyTorch's float order
     * ({@code x.mul_(α).add_(y, alpha=c)} is {@code x·α + c·y}; {@code addcmul_} and
     * {@code addcdiv_} are {@code x + (c·y)·z} and {@code x + (c·y)/z}), hyperparameters rounded
     * to float as PyTorch hands them to its kernels:
     * <pre>
     * g = ∇p + wd·p                        (wd ≠ 0)
     * s = s·α + ((1 − α)·g)·g
     * a = a·α + (1 − α)·g                  (centered)
     * d = √(s − a·a) + eps  if centered,   √s + eps otherwise
     * b = b·μ + g/d,  p = p + (−lr)·b      (momentum > 0)
     * p = p + (−lr·g)/d                    (otherwise)
     * </pre>
     */
    @Override
    protected void update(Tensor param, Tensor grad, ParamState state, Options o) {
        Tensor p = FusedUpdate.param(param), g = FusedUpdate.grad(name(), param, grad);
        Tensor s = FusedUpdate.buffer(state, SQUARE_AVG, param);
        boolean momentum = o.momentum() > 0, centered = o.centered(), decay = o.weightDecay() != 0;
        Tensor b = momentum ? FusedUpdate.buffer(state, MOMENTUM_BUFFER, param) : null;
        Tensor a = centered ? FusedUpdate.buffer(state, GRAD_AVG, param) : null;
        state.incrementStep();
        float wd = (float) o.weightDecay(), alpha = (float) o.alpha(), rest = (float) (1 - o.alpha());
        float eps = (float) o.eps(), mu = (float) o.momentum(), negLr = (float) -o.lr();
        float[] pd = p.data(), gd = g.data(), sd = s.data(), bd = momentum ? b.data() : null, ad = centered ? a.data() : null;
        Parallel.forRange(p.numel(), FusedUpdate.GRAIN, (from, to) -> {
            for (int i = from; i < to; i++) {
                float gi = decay ? gd[i] + wd * pd[i] : gd[i];
                float si = sd[i] * alpha + rest * gi * gi;
                sd[i] = si;
                float d;
                if (centered) {
                    float ai = ad[i] * alpha + rest * gi;
                    ad[i] = ai;
                    d = (float) Math.sqrt(si - ai * ai) + eps;
                } else {
                    d = (float) Math.sqrt(si) + eps;
                }
                if (momentum) {
                    float bi = bd[i] * mu + gi / d;
                    bd[i] = bi;
                    pd[i] = pd[i] + negLr * bi;
                } else {
                    pd[i] = pd[i] + negLr * gi / d;
                }
            }
        });
        s.markModified();
        if (momentum) b.markModified();
        if (centered) a.markModified();
        FusedUpdate.finish(param, p);
    }

    @Override
    protected Set<String> bufferNames() {
        return Set.of(SQUARE_AVG, MOMENTUM_BUFFER, GRAD_AVG);
    }

    @Override
    protected Options parseOptions(Map<String, String> values) {
        return Options.fromMap(values);
    }
}
