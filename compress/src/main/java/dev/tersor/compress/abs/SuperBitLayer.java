package dev.tersor.compress.abs;

import dev.tersor.nn.Conv2d;
import dev.tersor.nn.Linear;
import dev.tersor.nn.Module;
import dev.tersor.nn.Parameter;
import dev.tersor.tensor.Conv2dOptions;
import dev.tersor.tensor.Functional;
import dev.tersor.tensor.Tensor;
import java.util.List;

/**
 * A convolution or linear layer during the ABS search: x [N, Cin, H, W] → [N, K, H', W'] (or
 * [..., in] → [..., K]),
 * <pre>
 * y = op(Q_a(x), Q_w(W)) + c ⊙ b
 * </pre>
 * with the super-bit quantizers {@code weight_quant} (filter-wise 0-bit gates c [K]) and
 * {@code input_quant} ({@link SuperBitQuantizer}), the float weight and bias as parameters
 * {@code weight}, {@code bias} (the float layer's keys), and the layer's per-sample MACs. A pruned
 * filter's bias is gated too, so its output channel is exactly 0. {@link Abs#finish} turns it
 * into an ordinary {@link dev.tersor.compress.quant.QuantConv2d} / {@link dev.tersor.compress.quant.QuantLinear}.
 */
public final class SuperBitLayer extends Module {
    static final String WEIGHT_QUANT = "weight_quant", INPUT_QUANT = "input_quant";
    private final Module source;
    private final Conv2dOptions options;
    private final Parameter weight, bias;
    private final long macs;
    private final AbsConfig config;

    /** Wraps {@code source} (a {@link Conv2d} or {@link Linear}, weights copied) with {@code macs} MACs per sample. */
    SuperBitLayer(Module source, long macs, AbsConfig config) {
        if (!(source instanceof Conv2d) && !(source instanceof Linear)) {
            throw new IllegalArgumentException("SuperBitLayer: expected a Conv2d or Linear, got " + source.getClass().getSimpleName());
        }
        Parameter w = source instanceof Conv2d c ? c.weight() : ((Linear) source).weight();
        Parameter b = source instanceof Conv2d c ? c.bias() : ((Linear) source).bias();
        this.source = source;
        this.options = source instanceof Conv2d c ? c.options() : null;
        this.weight = registerParameter("weight", w.value().detach().copy());
        this.bias = b == null ? null : registerParameter("bias", b.value().detach().copy());
        this.macs = macs;
        this.config = config;
        register(WEIGHT_QUANT, SuperBitQuantizer.weights(config.weightBits(), weight.value(), config.perChannel(), config.pruneFilters()));
        register(INPUT_QUANT, SuperBitQuantizer.activations(config.inputBits()));
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor in = inputQuantizer().call(x);
        SuperBitQuantizer wq = weightQuantizer();
        Tensor c = wq.channelGate(weight.value());
        Tensor w = wq.quantize(weight.value(), c);
        Tensor b = bias == null ? null : c.numel() == 1 ? bias.value() : bias.value().mul(c);
        return options != null ? Functional.conv2d(in, w, b, options) : Functional.linear(in, w, b);
    }

    /** The weight's super-bit quantizer. */
    public SuperBitQuantizer weightQuantizer() {
        return (SuperBitQuantizer) child(WEIGHT_QUANT);
    }

    /** The input's super-bit quantizer. */
    public SuperBitQuantizer inputQuantizer() {
        return (SuperBitQuantizer) child(INPUT_QUANT);
    }

    /** The float weight [K, Cin/groups, kh, kw] or [K, in]. */
    public Parameter weight() {
        return weight;
    }

    /** The bias [K], or null. */
    public Parameter bias() {
        return bias;
    }

    /** Output channels (filters) K. */
    public int filters() {
        return weight.shape()[0];
    }

    /** Multiply-accumulates of one sample at full width. */
    public long macs() {
        return macs;
    }

    /** The search settings this layer was prepared with. */
    public AbsConfig config() {
        return config;
    }

    /** The convolution's options, or null for a linear layer. */
    public Conv2dOptions convOptions() {
        return options;
    }

    /** "Conv2d" or "Linear". */
    public String type() {
        return options != null ? "Conv2d" : "Linear";
    }

    /** The BOPs of one sample as a differentiable function of the current gates ({@link BopsPenalty#layer}). */
    public Tensor bops() {
        SuperBitQuantizer wq = weightQuantizer(), aq = inputQuantizer();
        return BopsPenalty.layer(macs, wq.channelGate(weight.value()), wq.gates(), wq.candidates(), aq.gates(), aq.candidates());
    }

    /** The output channels whose 0-bit gate is off. */
    public List<Integer> prunedFilters() {
        return weightQuantizer().prunedChannels(weight.value());
    }

    /** The BOPs of one sample at the chosen bits, pruned filters' MACs saved: {@code MACs/K·kept·b_w·b_a}. */
    public long chosenBops() {
        int kept = filters() - prunedFilters().size();
        return macs / filters() * kept * weightQuantizer().chosenBits() * inputQuantizer().chosenBits();
    }

    /** The original float layer (its parameters are not this layer's). */
    Module source() {
        return source;
    }

    @Override
    public long multiplyAccumulates(Tensor input, Tensor output) {
        return (long) output.numel() * (weight.numel() / weight.shape()[0]);
    }

    @Override
    protected String extraRepr() {
        int[] s = weight.shape();
        return type() + " " + java.util.Arrays.toString(s) + ", w" + weightQuantizer().chosenBits() + " a" + inputQuantizer().chosenBits()
                + ", MACs=" + macs;
    }
}
