package dev.tersor.nn.binary;

import dev.tersor.nn.Module;
import dev.tersor.tensor.Conv2dOptions;
import dev.tersor.tensor.Tensor;
import dev.tersor.tensor.lowbit.XnorConv2d;

/**
 * Inference form of {@link BinaryConv2d}: signs of the weights packed once into 64-bit words,
 * activations packed inside each call, XNOR-popcount convolution ({@link XnorConv2d}), then
 * α and bias. Output equals the binary layer's forward bit for bit. No parameters (not trainable).
 */
public class PackedBinaryConv2d extends Module {
    private final XnorConv2d conv;

    /** Packs the current weights of {@code layer}. */
    public PackedBinaryConv2d(BinaryConv2d layer) {
        this.conv = XnorConv2d.pack(layer.binarizedWeight(), layer.options(), layer.outputScale(), layer.outputBias());
    }

    /** Packs ±1 (sign-taken) weights [K, C, kh, kw] with optional per-channel scale and bias. */
    public PackedBinaryConv2d(Tensor weight, Conv2dOptions options, float[] scale, float[] bias) {
        this.conv = XnorConv2d.pack(weight, options, scale, bias);
    }

    /** The packed kernel. */
    public XnorConv2d kernel() {
        return conv;
    }

    @Override
    public Tensor forward(Tensor x) {
        return conv.apply(x);
    }

    @Override
    protected String extraRepr() {
        return conv.inChannels() + ", " + conv.outChannels() + ", " + conv.options() + ", packed " + conv.packedWeightBytes()
                + " bytes, kernel=" + conv.kernelName();
    }
}
