package dev.tersor.compress.quant;

import dev.tersor.nn.Module;
import dev.tersor.tensor.Tensor;

/**
 * A fake quantizer: a module whose forward returns its input rounded to the integer grid of
 * {@link #qparams()} and mapped back to floats (same shape), with a straight-through gradient
 * (see {@link FakeQuantize}). Its learned step or clip and its running ranges are parameters
 * and buffers, so they appear in the state dict under the layer that owns it
 * ({@code conv1.input_quant.alpha}, {@code fc1.weight_quant.step}). They are optional when
 * loading: a float checkpoint loads strictly into a prepared model, and quantizers that have not
 * been initialised take their ranges from the first tensor they see.
 * <pre>{@code
 * FakeQuantizer q = LsqQuantizer.activations(4);
 * Tensor y = q.call(x);          // same shape as x; the first call sets the step from x
 * QParams p = q.qparams();       // what integer conversion uses: y == p.dequantize(p.quantize(x))
 * }</pre>
 */
public abstract class FakeQuantizer extends Module {

    /** The integer mapping in use now; {@link IllegalStateException} before the first forward (nothing to base it on). */
    public abstract QParams qparams();

    /** The scheme (bits, integer range, symmetric or affine, per channel) this quantizer maps to. */
    public abstract QuantScheme scheme();

    /** Bits of the integer grid. */
    public int bits() {
        return scheme().bits();
    }

    /** True once the ranges or the learned step have been set (by a forward or a loaded state dict). */
    public abstract boolean isInitialized();

    /**
     * Forgets ranges and initialisation (learned steps are re-initialised at the next forward), e.g.
     * after batch-norm folding changed the weights it quantizes.
     */
    public abstract void reset();

    /** Every parameter and buffer of a quantizer may be missing from a checkpoint (a float one). */
    @Override
    protected boolean isOptionalStateKey(String localName) {
        return true;
    }

    /** Sets a one-element buffer or parameter value without recording a graph. */
    static void setScalar(Tensor t, float value) {
        try (var g = Tensor.noGrad()) {
            t.fillInPlace(value);
        }
    }

    /** {@code a ≥ 0.5} for a 0/1 flag buffer. */
    static boolean flag(Tensor t) {
        return t.toArray()[0] >= 0.5f;
    }

    @Override
    protected String extraRepr() {
        return "bits=" + scheme().bits() + ", range=[" + scheme().qmin() + ", " + scheme().qmax() + "]"
                + (scheme().affine() ? ", affine" : ", symmetric") + (scheme().perChannel() ? ", per_channel" : "");
    }
}
