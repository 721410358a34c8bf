package dev.tersor.compress.ptq;

import dev.tersor.compress.quant.QParams;
import dev.tersor.nn.Module;
import dev.tersor.tensor.Functional;
import dev.tersor.tensor.Tensor;

/**
 * A calibrated Conv2d/Linear run with fake quantization, eval only:
 * {@code y = conv(x̂, Ŵ) + b} (or {@code x̂·Ŵᵀ + b}) with {@code x̂ = fq(x; inputQParams)} per
 * tensor (x itself for weight-only quantization), {@code Ŵ = fq(W; weightQParams)} per output
 * channel and b the calibrated (possibly corrected) float bias,
 * {@code fq(v) = (clamp(rint(v/s) + z, qmin, qmax) − z)·s}. Integer
 * inference computes the same values up to float rounding of the accumulation. No gradient
 * reaches the input. Buffers {@code weight} (Ŵ) and {@code bias} keep the float layer's keys.
 */
public final class SimulatedLayer extends Module {
    private final Module original;
    private final PtqLayer layer;
    private final Tensor weight, bias;

    /** Simulates {@code layer}; {@code original} is the float module it stands in for (kept for {@link Ptq#restore}). */
    public SimulatedLayer(Module original, PtqLayer layer) {
        this.original = original;
        this.layer = layer;
        this.weight = registerBuffer("weight", layer.fakeQuantizedWeight(), true);
        this.bias = layer.bias() == null ? null : registerBuffer("bias", layer.bias().detach().copy(), true);
    }

    /** The float module this layer replaced. */
    public Module original() {
        return original;
    }

    /** The calibrated parameters. */
    public PtqLayer layer() {
        return layer;
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor xq = layer.inputQParams() == null ? x.detach() : FakeQuant.apply(x, layer.inputQParams());
        return layer.convOptions() != null ? Functional.conv2d(xq, weight, bias, layer.convOptions()) : Functional.linear(xq, weight, bias);
    }

    @Override
    public long multiplyAccumulates(Tensor input, Tensor output) {
        return (long) output.numel() * (weight.numel() / weight.size(0));
    }

    @Override
    protected String extraRepr() {
        QParams in = layer.inputQParams();
        return layer.path() + ", weight " + layer.weightQParams().channels() + " channels, input " + (in == null ? "float" : in);
    }
}
