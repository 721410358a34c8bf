package dev.tersor.compress.quant;

import dev.tersor.nn.Parameter;
import dev.tersor.tensor.Tensor;

/**
 * PACT activations (Choi et al. 2018, arXiv 1805.06085, eq. 1–3): a learned clip α (the parameter
 * {@code alpha}), {@code y = clamp(x, 0, α)} quantized unsigned to {@code [0, 2^b−1]} with scale
 * {@code α/(2^b−1)}, so the integer mapping is {@code QParams(α/(2^b−1), 0, 0, 2^b−1)}. Backward
 * (straight-through for the rounding, {@link FakeQuantize.Rule#PACT}):
 * <pre>
 * ∂y_q/∂x = 1 for 0 < x < α, else 0        ∂y_q/∂α = 1[x ≥ α]
 * </pre>
 * (x = 0 exactly counts as clipped, as in LSQ's strict window; after a ReLU its gradient is 0
 * anyway). Training adds the L2 penalty {@code λ·α²} of {@link #penalty()} to the loss
 * ({@link Quantization#pactPenalty} sums it over a model). α starts at 10 by default
 * (the paper initialises it to a large value and lets the penalty pull it down). PACT
 * assumes non-negative inputs: it replaces the ReLU before the layer. Weights in a PACT model
 * use {@link UniformFakeQuantizer#maxSymmetric} (the paper uses DoReFa's tanh-normalised weights,
 * which no integer mapping of the stored weights reproduces; max-symmetric is the plain choice
 * that {@link QuantLayer} conversion matches exactly).
 * <pre>{@code
 * PactQuantizer q = new PactQuantizer(4, 10f);
 * Tensor y = q.call(x.relu());
 * Tensor loss = task.add(q.penalty().mul(2e-4f));
 * }</pre>
 */
public final class PactQuantizer extends FakeQuantizer {
    /** The default initial clip. */
    public static final float DEFAULT_ALPHA = 10f;
    private final QuantScheme scheme;
    private final Parameter alpha;

    /** A quantizer with {@code bits} bits and initial clip {@code initialAlpha} (> 0). */
    public PactQuantizer(int bits, float initialAlpha) {
        this.scheme = QuantScheme.unsigned(bits);
        if (!(initialAlpha > 0) || !Float.isFinite(initialAlpha)) {
            throw new IllegalArgumentException("PactQuantizer: initial alpha must be positive and finite, got " + initialAlpha);
        }
        this.alpha = registerParameter("alpha", Tensor.full(initialAlpha, 1));
    }

    /** The learned clip α [1]. */
    public Parameter alpha() {
        return alpha;
    }

    /** {@code α²} (a differentiable scalar), the L2 term PACT adds to the loss times λ. */
    public Tensor penalty() {
        return alpha.value().mul(alpha.value()).sum();
    }

    @Override
    public QuantScheme scheme() {
        return scheme;
    }

    @Override
    public boolean isInitialized() {
        return true;
    }

    /** Nothing to forget: α is a parameter that training sets. */
    @Override
    public void reset() {
    }

    @Override
    public QParams qparams() {
        try (var g = Tensor.noGrad()) {
            return QParams.perTensor(scale().item(), 0, 0, scheme.qmax());
        }
    }

    /** {@code max(α, eps)/(2^b−1)}, differentiable in α (the same float value {@link #qparams()} uses). */
    private Tensor scale() {
        return alpha.value().clamp(QParams.EPS, Float.MAX_VALUE).div(scheme.qmax());
    }

    @Override
    public Tensor forward(Tensor x) {
        return FakeQuantize.learned(x, scale(), 0, 0, scheme.qmax(), FakeQuantize.Rule.PACT);
    }
}
