package dev.tersor.compress.quant;

import dev.tersor.nn.Parameter;
import dev.tersor.tensor.Tensor;

/**
 * PAMS activations (Li et al. 2020, arXiv 2011.04212; official code github colorjam/PAMS,
 * {@code model/quant_ops.py}, class {@code pams_quant_act}): one learnable bound α (parameter
 * {@code alpha}) per quantizer, {@code y = clamp(x, −α, α)} quantized signed symmetric to
 * {@code [−(2^(b−1)−1), 2^(b−1)−1]} with scale {@code α/(2^(b−1)−1)}. Two phases:
 * <ul>
 *   <li><b>EMA</b> (training, until {@link #startLearning()}; the official code's
 *       {@code epoch <= ema_epoch}, one epoch): each batch's {@code mean over samples of max|x|}
 *       updates the buffer {@code max_val} (the first batch sets it, later ones
 *       {@code max_val ← (1 − d)·m + d·max_val}, d = 0.9997) and α is set to it; α gets no gradient.</li>
 *   <li><b>Learning</b> (after the switch): α is trained, with the gradient the official code's
 *       autograd gives through {@code max(min(x, α), −α)·q/α}, round (STE), {@code ·α/q}:
 *       <pre>
 * ∂y/∂x = 1 for |x| < α, else 0
 * ∂y/∂α = rint(x·q/α)/q − x/α for |x| < α,  +1 for x ≥ α,  −1 for x ≤ −α      (q = 2^(b−1)−1)
 *       </pre>
 *       i.e. LSQ's step gradient on {@code s = α/q} with g = 1 ({@link FakeQuantize.Rule#lsq}).
 *       The paper trains α with its own learning rate (1e-2 against 1e-4 for the weights):
 *       {@link Quantization#quantizerParameters} lists it.</li>
 * </ul>
 * Evaluation mode clamps with the current α in both phases (as the official code). Differences
 * from the official code, both so that the output is exactly what {@link QParams} integer
 * conversion gives: rounding is {@code rint(x·(1/s))} rather than {@code round(x·q/α)} (may differ
 * in the last bit at ties); the EMA phase clamps to [−α, α] with the clipped STE, where the official
 * code neither clamps nor clips. With {@code ema_epoch = 1} the official code's {@code epoch == 1}
 * branch overwrites {@code max_val} at every batch (no averaging); decay 0 reproduces that.
 * <pre>{@code
 * PamsQuantizer q = new PamsQuantizer(4, PamsQuantizer.DEFAULT_DECAY);
 * ... first epoch: q.call(x) tracks max|x| ...
 * q.startLearning();                  // after epoch 1 (Quantization.startLearningClips(model))
 * }</pre>
 */
public final class PamsQuantizer extends FakeQuantizer {
    /** The official code's EMA decay. */
    public static final float DEFAULT_DECAY = 0.9997f;
    /** The official code's initial α (before the first batch). */
    public static final float INITIAL_ALPHA = 10f;
    private final QuantScheme scheme;
    private final float decay;
    private final Parameter alpha;

    /** A quantizer with {@code bits} bits and EMA decay {@code decay} in [0, 1). */
    public PamsQuantizer(int bits, float decay) {
        this.scheme = QuantScheme.narrowSigned(bits, false);
        if (!(decay >= 0 && decay < 1)) throw new IllegalArgumentException("PamsQuantizer: decay must be in [0, 1), got " + decay);
        this.decay = decay;
        this.alpha = registerParameter("alpha", Tensor.full(INITIAL_ALPHA, 1));
        registerBuffer("max_val", Tensor.ones(1), true);
        registerBuffer("num_batches_tracked", Tensor.zeros(1), true);
        registerBuffer("learning", Tensor.zeros(1), true);
    }

    /** The bound α [1]. */
    public Parameter alpha() {
        return alpha;
    }

    /** The EMA of the per-sample maximum |x| (buffer {@code max_val}). */
    public float maxVal() {
        return buffer("max_val").item();
    }

    /** Ends the EMA phase: from now on α is learned (call after the first epoch). */
    public void startLearning() {
        setScalar(buffer("learning"), 1f);
    }

    /** True once {@link #startLearning()} was called (kept in the state dict). */
    public boolean isLearning() {
        return flag(buffer("learning"));
    }

    @Override
    public QuantScheme scheme() {
        return scheme;
    }

    /** True once a training batch set α (or after the switch to learning). */
    @Override
    public boolean isInitialized() {
        return buffer("num_batches_tracked").item() > 0 || isLearning();
    }

    /** Back to the EMA phase with nothing tracked (α keeps its value until the next training batch). */
    @Override
    public void reset() {
        setScalar(buffer("num_batches_tracked"), 0f);
        setScalar(buffer("learning"), 0f);
    }

    @Override
    public QParams qparams() {
        try (var g = Tensor.noGrad()) {
            return QParams.perTensor(scale().item(), 0, scheme.qmin(), scheme.qmax());
        }
    }

    private Tensor scale() {
        return alpha.value().clamp(QParams.EPS, Float.MAX_VALUE).div(scheme.qmax());
    }

    @Override
    public Tensor forward(Tensor x) {
        if (isTraining() && !isLearning()) {
            track(x);
            return FakeQuantize.fixed(x, qparams(), FakeQuantize.Window.UNROUNDED);
        }
        return FakeQuantize.learned(x, scale(), 0, scheme.qmin(), scheme.qmax(), FakeQuantize.Rule.lsq(1f));
    }

    private void track(Tensor x) {
        float[] v = x.contiguous().toArray();
        int n = x.dim() == 0 ? 1 : x.size(0);
        if (v.length == 0) throw new IllegalArgumentException("PamsQuantizer: cannot track an empty tensor");
        int per = v.length / n;
        double sum = 0;
        for (int s = 0; s < n; s++) {
            float m = 0;
            for (int i = s * per; i < (s + 1) * per; i++) {
                if (!Float.isFinite(v[i])) throw new IllegalArgumentException("PamsQuantizer: non-finite value " + v[i] + " at element " + i);
                m = Math.max(m, Math.abs(v[i]));
            }
            sum += m;
        }
        float batch = (float) (sum / n);
        Tensor tracked = buffer("num_batches_tracked");
        float max = tracked.item() == 0 ? batch : (1 - decay) * batch + decay * maxVal();
        setScalar(buffer("max_val"), max);
        setScalar(tracked, tracked.item() + 1);
        setScalar(alpha.value(), Math.max(max, QParams.EPS));
    }

    @Override
    protected String extraRepr() {
        return super.extraRepr() + ", decay=" + decay + (isLearning() ? ", learning" : ", ema");
    }
}
