package dev.tersor.compress.abs;

import dev.tersor.compress.quant.FakeQuantize;
import dev.tersor.compress.quant.FakeQuantizer;
import dev.tersor.compress.quant.QParams;
import dev.tersor.compress.quant.QuantScheme;
import dev.tersor.tensor.Tensor;

/**
 * A fake quantizer on a fixed grid: the integer mapping the ABS search chose for one layer's
 * weights or input, {@code x̂ = (clamp(rint(x·(1/s_c)), qmin, qmax))·s_c} ({@link FakeQuantize#fixed},
 * straight-through inside the grid), zero point 0. The scales are the buffer {@code scale} ([C] or
 * [1]); the range and bit width are fixed. Nothing is learned or observed, so {@link #reset} has
 * nothing to forget (after batch-norm folding the grid no longer fits: fold before the search).
 */
public final class GridQuantizer extends FakeQuantizer {
    private final int bits, qmin, qmax;

    /** The grid of {@code p} (zero points 0) at {@code bits} bits. */
    public GridQuantizer(QParams p, int bits) {
        QuantScheme.checkBits(bits);
        for (int c = 0; c < p.channels(); c++) {
            if (p.zeroPoint(c) != 0) throw new IllegalArgumentException("GridQuantizer: zero points must be 0, channel " + c + " has " + p.zeroPoint(c));
        }
        new QuantScheme(bits, p.qmin(), p.qmax(), false, p.isPerChannel());   // checks the range fits the bits
        this.bits = bits;
        this.qmin = p.qmin();
        this.qmax = p.qmax();
        registerBuffer("scale", Tensor.fromArray(p.scale(), p.channels()), true);
    }

    @Override
    public QParams qparams() {
        float[] s = buffer("scale").toArray();
        return new QParams(s, new int[s.length], qmin, qmax);
    }

    @Override
    public QuantScheme scheme() {
        return new QuantScheme(bits, qmin, qmax, false, buffer("scale").numel() > 1);
    }

    @Override
    public boolean isInitialized() {
        return true;
    }

    /** A fixed grid has no range or step to forget. */
    @Override
    public void reset() {
    }

    @Override
    public Tensor forward(Tensor x) {
        return FakeQuantize.fixed(x, qparams());
    }
}
