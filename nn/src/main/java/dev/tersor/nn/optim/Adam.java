package dev.tersor.nn.optim;

import dev.tersor.nn.Parameter;
import dev.tersor.tensor.Tensor;
import dev.tersor.tensor.backend.Parallel;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Adam (Kingma and Ba), optionally AMSGrad, step for step as PyTorch 1.13's
 * {@code torch.optim.Adam}; weight decay is an L2 penalty added to the gradient (see
 * {@link AdamW} for the decoupled form). At step {@code t}:
 * <pre>
 * g  = ∇p + weightDecay·p
 * m  = β1·m + (1 − β1)·g
 * v  = β2·v + (1 − β2)·g²
 * v̂  = amsgrad ? (vmax = max(vmax, v)) : v
 * p  = p − lr/(1 − β1^t) · m / (√v̂ / √(1 − β2^t) + eps)
 * </pre>
 * <pre>{@code
 * var adam = new Adam(model.parameters(), Adam.options().lr(3e-4).build());
 * }</pre>
 * State per parameter: the step count, {@code exp_avg}, {@code exp_avg_sq} and, with AMSGrad,
 * {@code max_exp_avg_sq}.
 */
public class Adam extends Optimizer<Adam.Options> {
    static final String EXP_AVG = "exp_avg";
    static final String EXP_AVG_SQ = "exp_avg_sq";
    static final String MAX_EXP_AVG_SQ = "max_exp_avg_sq";

    /**
     * Adam and AdamW hyperparameters, validated: lr, eps and weightDecay finite and
     * {@code >= 0}; betas in [0, 1).
     *
     * @param lr          learning rate
     * @param beta1       decay of the gradient's running average
     * @param beta2       decay of the squared gradient's running average
     * @param eps         added to the denominator
     * @param weightDecay L2 penalty (Adam) or decoupled decay rate (AdamW)
     * @param amsgrad     use the running maximum of the second moment (AMSGrad)
     */
    public record Options(double lr, double beta1, double beta2, double eps, double weightDecay, boolean amsgrad)
            implements OptimizerOptions<Options> {
        public Options {
            Checks.nonNegative("Adam", "lr", lr);
            Checks.unitInterval("Adam", "beta1", beta1);
            Checks.unitInterval("Adam", "beta2", beta2);
            Checks.nonNegative("Adam", "eps", eps);
            Checks.nonNegative("Adam", "weightDecay", weightDecay);
        }

        @Override
        public Options withLr(double lr) {
            return new Options(lr, beta1, beta2, eps, weightDecay, amsgrad);
        }

        /** A builder starting from these values. */
        public Builder toBuilder() {
            return new Builder(this);
        }

        @Override
        public Map<String, String> toMap() {
            Map<String, String> m = new LinkedHashMap<>();
            m.put("lr", Double.toString(lr));
            m.put("beta1", Double.toString(beta1));
            m.put("beta2", Double.toString(beta2));
            m.put("eps", Double.toString(eps));
            m.put("weight_decay", Double.toString(weightDecay));
            m.put("amsgrad", Boolean.toString(amsgrad));
            return m;
        }

        /** Parses {@link #toMap()} output. */
        public static Options fromMap(Map<String, String> m) {
            return new Options(Checks.doubleOf(m, "lr", "Adam"), Checks.doubleOf(m, "beta1", "Adam"),
                    Checks.doubleOf(m, "beta2", "Adam"), Checks.doubleOf(m, "eps", "Adam"),
                    Checks.doubleOf(m, "weight_decay", "Adam"), Checks.booleanOf(m, "amsgrad", "Adam"));
        }
    }

    /** Builds {@link Options}. */
    public static final class Builder {
        private double lr, beta1, beta2, eps, weightDecay;
        private boolean amsgrad;

        Builder(Options o) {
            lr = o.lr;
            beta1 = o.beta1;
            beta2 = o.beta2;
            eps = o.eps;
            weightDecay = o.weightDecay;
            amsgrad = o.amsgrad;
        }

        public Builder lr(double lr) {
            this.lr = lr;
            return this;
        }

        /** Both betas, as PyTorch's {@code betas=(β1, β2)}. */
        public Builder betas(double beta1, double beta2) {
            this.beta1 = beta1;
            this.beta2 = beta2;
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

        public Builder amsgrad(boolean amsgrad) {
            this.amsgrad = amsgrad;
            return this;
        }

        /** The validated options. */
        public Options build() {
            return new Options(lr, beta1, beta2, eps, weightDecay, amsgrad);
        }
    }

    /** A builder with PyTorch's Adam defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8, no weight decay. */
    public static Builder options() {
        return new Builder(new Options(1e-3, 0.9, 0.999, 1e-8, 0, false));
    }

    private final boolean decoupled;

    /** Adam over {@code params} in one group. */
    public Adam(List<Parameter> params, Options options) {
        this(List.of(new ParamGroup<>(params, options)));
    }

    /** Adam over several groups. */
    public Adam(List<ParamGroup<Options>> groups) {
        this(groups, false);
    }

    Adam(List<ParamGroup<Options>> groups, boolean decoupledWeightDecay) {
        super(groups);
        this.decoupled = decoupledWeightDecay;
    }

    /**
     * One pass over the parameter {@code p}, its gradient {@code ∇p} and the buffers {@code m},
     * {@code v} (and {@code vmax}), in PyTorch's float order ({@code x.mul_(β).add_(y, alpha=α)}
     * is {@code x·β + α·y}; {@code addcmul_} and {@code addcdiv_} are {@code x + (c·y)·z} and
     * {@code x + (c·y)/z}), with {@code s = lr/(1 − β1^t)} and {@code c2 = √(1 − β2^t)} computed in
     * double and, like every hyperparameter, rounded to float as PyTorch hands them to its kernels:
     * <pre>
     * p = p·(1 − lr·wd)                      (AdamW)
     * g = ∇p + wd·p                          (Adam, wd ≠ 0)
     * m = m·β1 + (1 − β1)·g
     * v = v·β2 + ((1 − β2)·g)·g
     * v̂ = vmax = max(vmax, v)               (AMSGrad; v̂ = v otherwise)
     * p = p + (−s·m)/(√v̂/c2 + eps)
     * </pre>
     */
    @Override
    protected final void update(Tensor param, Tensor grad, ParamState state, Options o) {
        Tensor p = FusedUpdate.param(param), g = FusedUpdate.grad(name(), param, grad);
        Tensor m = FusedUpdate.buffer(state, EXP_AVG, param), v = FusedUpdate.buffer(state, EXP_AVG_SQ, param);
        boolean amsgrad = o.amsgrad();
        Tensor vmax = amsgrad ? FusedUpdate.buffer(state, MAX_EXP_AVG_SQ, param) : null;
        long t = state.incrementStep();
        boolean l2 = !decoupled && o.weightDecay() != 0;
        float wd = (float) o.weightDecay();
        float shrink = decoupled ? (float) (1 - o.lr() * o.weightDecay()) : 1f;   // p·1 is exact
        float beta1 = (float) o.beta1(), rest1 = (float) (1 - o.beta1());
        float beta2 = (float) o.beta2(), rest2 = (float) (1 - o.beta2());
        float negStep = (float) -(o.lr() / (1 - Math.pow(o.beta1(), t)));
        float c2 = (float) Math.sqrt(1 - Math.pow(o.beta2(), t));
        float eps = (float) o.eps();
        float[] pd = p.data(), gd = g.data(), md = m.data(), vd = v.data(), xd = amsgrad ? vmax.data() : null;
        Parallel.forRange(p.numel(), FusedUpdate.GRAIN, (from, to) -> {
            for (int i = from; i < to; i++) {
                float gi = l2 ? gd[i] + wd * pd[i] : gd[i];
                float mi = md[i] * beta1 + rest1 * gi;
                float vi = vd[i] * beta2 + rest2 * gi * gi;
                md[i] = mi;
                vd[i] = vi;
                if (amsgrad) {
                    vi = Math.max(xd[i], vi);   // NaN-propagating, as torch.maximum
                    xd[i] = vi;
                }
                pd[i] = pd[i] * shrink + negStep * mi / ((float) Math.sqrt(vi) / c2 + eps);
            }
        });
        m.markModified();
        v.markModified();
        if (amsgrad) vmax.markModified();
        FusedUpdate.finish(param, p);
    }

    @Override
    protected final Set<String> bufferNames() {
        return Set.of(EXP_AVG, EXP_AVG_SQ, MAX_EXP_AVG_SQ);
    }

    @Override
    protected final Options parseOptions(Map<String, String> values) {
        return Options.fromMap(values);
    }
}
