package dev.tersor.compress.quant;

import dev.tersor.nn.Parameter;
import dev.tersor.tensor.Tensor;

/**
 * Learned Step Size Quantization (Esser et al. 2020, arXiv 1902.08153): a learned per-tensor step
 * {@code s} (the parameter {@code step}), {@code v̂ = rint(clamp(v/s, −Qn, Qp))·s}, with the
 * gradients of the paper's eq. 3 and 5 ({@link FakeQuantize.Rule#lsq}):
 * <pre>
 * ∂v̂/∂v = 1 for −Qn < v/s < Qp, else 0
 * ∂v̂/∂s = (−v/s + rint(v/s)) inside, −Qn below, Qp above; then times g = 1/√(N·Qp)
 * </pre>
 * N is the number of weights of a weight quantizer and the number of features per sample
 * ({@code numel / batch}) of an activation quantizer (section 2.2). Ranges: signed weights
 * {@code Qn = 2^(b−1)}, {@code Qp = 2^(b−1)−1}; activations unsigned {@code Qn = 0},
 * {@code Qp = 2^b−1}, or signed like weights when the first batch has a negative value (the
 * choice is kept in the buffer {@code signed}). The step starts at {@code 2·mean|v|/√Qp} of the
 * weights or of the first batch, at the first forward (buffer {@code initialized}), so weights loaded
 * after preparing are the ones it starts from. A step that training drives below float epsilon
 * is used as epsilon (and gets no gradient there).
 * <pre>{@code
 * LsqQuantizer w = LsqQuantizer.weights(4);      // [-8, 7]
 * LsqQuantizer a = LsqQuantizer.activations(4);  // [0, 15] after ReLU
 * Tensor y = a.call(x);                          // the first call sets the step from x
 * }</pre>
 */
public final class LsqQuantizer extends FakeQuantizer {
    private final int bits;
    private final boolean weight;
    private final Parameter step;

    private LsqQuantizer(int bits, boolean weight) {
        this.bits = QuantScheme.checkBits(bits);
        this.weight = weight;
        this.step = registerParameter("step", Tensor.ones(1));
        registerBuffer("initialized", Tensor.zeros(1), true);
        registerBuffer("signed", Tensor.full(weight ? 1f : 0f, 1), true);
    }

    /** A weight quantizer: signed {@code [−2^(b−1), 2^(b−1)−1]}, N = the weight's element count. */
    public static LsqQuantizer weights(int bits) {
        return new LsqQuantizer(bits, true);
    }

    /** An activation quantizer: unsigned {@code [0, 2^b−1]} unless the first batch is negative somewhere. */
    public static LsqQuantizer activations(int bits) {
        return new LsqQuantizer(bits, false);
    }

    /** The learned step s [1]. */
    public Parameter step() {
        return step;
    }

    /** Whether this quantizes weights (N = numel) rather than activations (N = features per sample). */
    public boolean isWeightQuantizer() {
        return weight;
    }

    @Override
    public QuantScheme scheme() {
        return flag(buffer("signed")) ? QuantScheme.signed(bits, false) : QuantScheme.unsigned(bits);
    }

    @Override
    public boolean isInitialized() {
        return flag(buffer("initialized"));
    }

    @Override
    public void reset() {
        setScalar(buffer("initialized"), 0f);
        if (!weight) setScalar(buffer("signed"), 0f);
    }

    @Override
    public QParams qparams() {
        if (!isInitialized()) throw new IllegalStateException("LsqQuantizer: step not initialised (run a forward first)");
        QuantScheme s = scheme();
        return QParams.perTensor(Math.max(step.value().item(), QParams.EPS), 0, s.qmin(), s.qmax());
    }

    /** LSQ's gradient scale {@code 1/√(N·Qp)} for a tensor shaped like {@code x}. */
    public float gradScale(Tensor x) {
        long n = weight || x.dim() == 0 ? x.numel() : x.numel() / Math.max(1, x.size(0));
        return (float) (1.0 / Math.sqrt((double) Math.max(1, n) * scheme().qmax()));
    }

    @Override
    public Tensor forward(Tensor x) {
        if (!isInitialized()) initialize(x);
        QuantScheme s = scheme();
        Tensor positive = step.value().clamp(QParams.EPS, Float.MAX_VALUE);
        return FakeQuantize.learned(x, positive, 0, s.qmin(), s.qmax(), FakeQuantize.Rule.lsq(gradScale(x)));
    }

    private void initialize(Tensor x) {
        float[] v = x.contiguous().toArray();
        if (v.length == 0) throw new IllegalArgumentException("LsqQuantizer: cannot initialise the step from an empty tensor");
        double sum = 0;
        boolean negative = false;
        for (float f : v) {
            if (!Float.isFinite(f)) throw new IllegalArgumentException("LsqQuantizer: non-finite value " + f + " in the first tensor");
            sum += Math.abs(f);
            negative |= f < 0;
        }
        if (!weight) setScalar(buffer("signed"), negative ? 1f : 0f);
        double s = 2 * (sum / v.length) / Math.sqrt(scheme().qmax());
        setScalar(step.value(), (float) Math.max(s, QParams.EPS));
        setScalar(buffer("initialized"), 1f);
    }

    @Override
    protected String extraRepr() {
        return super.extraRepr() + (weight ? ", weights" : ", activations");
    }
}
