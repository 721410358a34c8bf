package dev.tersor.nn.binary;

import dev.tersor.nn.Module;
import dev.tersor.tensor.Tensor;
import dev.tersor.tensor.lowbit.XnorLinear;

/**
 * Inference form of {@link BinaryLinear}: signs of the weights packed once, input rows packed
 * inside each call, XNOR-popcount GEMM ({@link XnorLinear}), then α and bias. Output equals the
 * binary layer's forward bit for bit. No parameters (not trainable).
 */
public class PackedBinaryLinear extends Module {
    private final XnorLinear linear;

    /** Packs the current weights of {@code layer}. */
    public PackedBinaryLinear(BinaryLinear layer) {
        this.linear = XnorLinear.pack(layer.binarizedWeight(), layer.outputScale(), layer.outputBias());
    }

    /** The packed kernel. */
    public XnorLinear kernel() {
        return linear;
    }

    @Override
    public Tensor forward(Tensor x) {
        return linear.apply(x);
    }

    @Override
    protected String extraRepr() {
        return "in_features=" + linear.inFeatures() + ", out_features=" + linear.outFeatures() + ", packed "
                + linear.packedWeightBytes() + " bytes, kernel=" + linear.kernelName();
    }
}
