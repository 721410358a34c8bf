package dev.tersor.compress.quant;

import dev.tersor.tensor.Function;
import dev.tersor.tensor.Tensor;
import java.util.Arrays;

/**
 * Fake quantization as one differentiable op, per tensor or per output channel (dimension 0):
 * <pre>
 * z = x·(1/s_c)                                   (reciprocal first, as {@link QParams#quantize})
 * q = clamp(rint(z) + zp_c, qmin, qmax)           (rint: ties to even, as ATen's nearbyint)
 * x̂ = (q − zp_c)·s_c                              (exactly {@code dequantize(quantize(x, c), c)})
 * </pre>
 * so a fake-quantized tensor equals what integer conversion of the same {@link QParams} gives.
 * The backward is a clipped straight-through estimator, {@code ∂x̂/∂x = 1} inside the
 * {@link Window} and 0 outside, and, when the step {@code s} is an input, its gradient is summed
 * per channel and multiplied by the rule's {@code gradScale}:
 * <pre>
 * {@link StepGradient#LSQ}        ∂x̂/∂s = rint(z) − z inside,  q − zp (= qmin − zp or qmax − zp) outside
 * {@link StepGradient#CLIP_ONLY}  ∂x̂/∂s = 0 inside,            q − zp outside
 * </pre>
 * LSQ is eq. 3 of Esser et al. 2020 (arXiv 1902.08153), with {@code −Qn = qmin}, {@code Qp = qmax};
 * {@link Rule#torchLearnable} is {@code torch._fake_quantize_learnable_per_tensor_affine}
 * (the zero-point gradient aside); CLIP_ONLY is PACT's {@code ∂y_q/∂α = 1[x ≥ α]} once the
 * caller divides the clip α into the step.
 * <pre>{@code
 * Tensor y = FakeQuantize.fixed(x, QuantScheme.affine(8).qparams(-1f, 2f));          // torch.fake_quantize_per_tensor_affine
 * Tensor v = FakeQuantize.learned(w, step, 0, -8, 7, FakeQuantize.Rule.lsq(g));      // LSQ, step [1] requires grad
 * }</pre>
 */
public final class FakeQuantize extends Function {

    /** Which elements pass the straight-through gradient to x (the others count as clipped). */
    public enum Window {
        /** torch's {@code FakeQuantize}: the rounded integer is in range, {@code qmin ≤ rint(z) + zp ≤ qmax}. */
        ROUNDED,
        /** The LSQ, PACT and PAMS papers: the unrounded value is strictly inside, {@code qmin − zp < z < qmax − zp}. */
        UNROUNDED
    }

    /** How a learned step gets its gradient. */
    public enum StepGradient {
        /** LSQ: the rounding residual inside, the clipped integer outside. */
        LSQ,
        /** PACT: nothing inside, the clipped integer outside. */
        CLIP_ONLY
    }

    /**
     * The backward rule: which window passes the gradient to x, how the step is differentiated
     * and the step gradient's scale (LSQ's {@code g = 1/√(N·Qp)}, torch's {@code grad_factor}).
     */
    public record Rule(Window window, StepGradient step, float gradScale) {
        /** PACT's clip: gradient to α only where x ≥ α. */
        public static final Rule PACT = new Rule(Window.UNROUNDED, StepGradient.CLIP_ONLY, 1f);

        public Rule {
            if (window == null || step == null) throw new IllegalArgumentException("FakeQuantize rule: window and step gradient must not be null");
            if (!(gradScale > 0) || !Float.isFinite(gradScale)) {
                throw new IllegalArgumentException("FakeQuantize rule: gradScale must be positive and finite, got " + gradScale);
            }
        }

        /** LSQ's rule with gradient scale {@code g}. */
        public static Rule lsq(float g) {
            return new Rule(Window.UNROUNDED, StepGradient.LSQ, g);
        }

        /** torch's learnable rule with {@code grad_factor}. */
        public static Rule torchLearnable(float gradFactor) {
            return new Rule(Window.ROUNDED, StepGradient.LSQ, gradFactor);
        }
    }

    private final QParams fixedParams;   // when the step is not an input
    private final int[] zeroPoint;       // per channel (length 1: per tensor), learned step only
    private final int qmin, qmax;
    private final Rule rule;

    private FakeQuantize(QParams fixedParams, int[] zeroPoint, int qmin, int qmax, Rule rule) {
        this.fixedParams = fixedParams;
        this.zeroPoint = zeroPoint;
        this.qmin = qmin;
        this.qmax = qmax;
        this.rule = rule;
    }

    /** torch.fake_quantize_per_tensor_affine (or per_channel_affine along dim 0 when {@code p} has several channels). */
    public static Tensor fixed(Tensor x, QParams p) {
        return fixed(x, p, Window.ROUNDED);
    }

    /** Fake quantization with fixed parameters and the given straight-through window. */
    public static Tensor fixed(Tensor x, QParams p, Window window) {
        if (p == null) throw new IllegalArgumentException("FakeQuantize: qparams must not be null");
        checkChannels(x, p.channels());
        return new FakeQuantize(p, null, p.qmin(), p.qmax(), new Rule(window, StepGradient.LSQ, 1f)).apply(x);
    }

    /**
     * Fake quantization with a differentiable step {@code step} ([1] or [C] for dim-0 channels,
     * every value positive) and zero point {@code zeroPoint} for every channel.
     */
    public static Tensor learned(Tensor x, Tensor step, int zeroPoint, int qmin, int qmax, Rule rule) {
        if (rule == null) throw new IllegalArgumentException("FakeQuantize: rule must not be null");
        if (step.numel() < 1) throw new IllegalArgumentException("FakeQuantize: step must hold at least one value");
        if (qmin >= qmax || zeroPoint < qmin || zeroPoint > qmax) {
            throw new IllegalArgumentException("FakeQuantize: need qmin < qmax and the zero point inside, got [" + qmin + ", " + qmax
                    + "], zero point " + zeroPoint);
        }
        checkChannels(x, step.numel());
        int[] zp = new int[step.numel()];
        Arrays.fill(zp, zeroPoint);
        return new FakeQuantize(null, zp, qmin, qmax, rule).apply(x, step);
    }

    private static void checkChannels(Tensor x, int channels) {
        if (channels > 1 && (x.dim() == 0 || x.size(0) != channels)) {
            throw new IllegalArgumentException("FakeQuantize: " + channels + " per-channel scales need dimension 0 of size "
                    + channels + ", got shape " + Arrays.toString(x.shape()));
        }
    }

    @Override
    public String name() {
        return "FakeQuantize[" + rule.window() + (fixedParams == null ? ", " + rule.step() : "") + "]";
    }

    private QParams params(Tensor[] in) {
        if (fixedParams != null) return fixedParams;
        return new QParams(in[1].contiguous().toArray(), zeroPoint, qmin, qmax);
    }

    @Override
    protected Tensor forward(Context ctx, Tensor... in) {
        QParams p = params(in);
        ctx.save(in);
        float[] x = in[0].contiguous().toArray();
        int inner = x.length == 0 ? 1 : x.length / (p.channels() == 1 ? 1 : p.channels());
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            int c = i / inner;
            out[i] = p.dequantize(p.quantize(x[i], c), c);
        }
        return Tensor.fromArray(out, in[0].shape());
    }

    @Override
    protected Tensor[] backward(Context ctx, Tensor grad) {
        Tensor xt = ctx.saved(0);
        QParams p = params(fixedParams == null ? new Tensor[] {xt, ctx.saved(1)} : new Tensor[] {xt});
        float[] x = xt.contiguous().toArray(), g = grad.contiguous().toArray();
        int channels = p.channels();
        int inner = x.length == 0 ? 1 : x.length / (channels == 1 ? 1 : channels);
        boolean stepGrad = fixedParams == null && ctx.needsInputGrad(1);
        float[] dx = new float[x.length];
        double[] ds = new double[channels];
        for (int i = 0; i < x.length; i++) {
            int c = i / inner;
            int zp = p.zeroPoint(c);
            float z = x[i] * (1f / p.scale(c));
            float r = (float) Math.rint(z);
            boolean inside = rule.window() == Window.ROUNDED ? r + zp >= p.qmin() && r + zp <= p.qmax()
                    : z > p.qmin() - zp && z < p.qmax() - zp;
            if (inside) dx[i] = g[i];
            if (stepGrad) {
                float d;
                if (inside) d = rule.step() == StepGradient.LSQ ? r - z : 0f;
                else d = p.quantize(x[i], c) - zp;
                ds[c] += (double) g[i] * d;
            }
        }
        Tensor gx = Tensor.fromArray(dx, xt.shape());
        if (fixedParams != null) return new Tensor[] {gx};
        Tensor gs = null;
        if (stepGrad) {
            float[] s = new float[channels];
            for (int c = 0; c < channels; c++) s[c] = (float) (ds[c] * rule.gradScale());
            gs = Tensor.fromArray(s, ctx.saved(1).shape());
        }
        return new Tensor[] {gx, gs};
    }
}
