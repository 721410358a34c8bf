package dev.tersor.nn.zoo;

import dev.tersor.nn.Module;
import dev.tersor.nn.Sequential;
import dev.tersor.nn.sr.MetaUpscale;
import dev.tersor.nn.sr.WindowedModel;
import dev.tersor.tensor.Tensor;
import java.util.Arrays;

/**
 * Meta-EDSR (Hu et al., arXiv 1903.00875, the official {@code model/metaedsr.py}): EDSR's head and
 * residual body, then a {@link MetaUpscale} instead of EDSR's upsampler and tail, so that one set
 * of weights upscales by any factor s in (1, 4], non-integer ones included:
 * RGB {@code [N, 3, h, w]} in [0, rgbRange] → {@code [N, 3, ⌊s·h⌋, ⌊s·w⌋]}.
 * <pre>
 * sub_mean → head.0 conv 3→F → body (blocks × ResBlock, conv F→F) + skip → P2W (meta-upscale F→3) → add_mean
 * </pre>
 * Keys as the official code: {@code sub_mean}, {@code head.0}, {@code body.i.body.{0,2}},
 * {@code body.n}, {@code P2W.meta_block.{0,2}}, {@code add_mean}. The scale is a field
 * ({@link #setScale}, the constructor's) read by {@link #forward(Tensor)}, so the model plugs into
 * code that calls {@code model.call(x)} at a fixed factor ({@link dev.tersor.nn.sr.Upscaler},
 * {@link dev.tersor.nn.sr.SrTrainer} for integer scales); {@link #forward(Tensor, double)} takes it
 * per call. As a {@link WindowedModel} it computes a block of a whole image's output from a window
 * of the image ({@link dev.tersor.nn.sr.AnyScaleUpscaler} tiles non-integer scales with it).
 */
public class MetaEdsr extends Module implements WindowedModel {
    private final int blocks, features;

    /** The EDSR baseline body (16 blocks, 64 features) with the meta-upscale module, set to {@code scale}. */
    public MetaEdsr(double scale) {
        this(scale, 16, 64, 1f, 255f);
    }

    /** Configurable. */
    public MetaEdsr(double scale, int blocks, int features, float resScale, float rgbRange) {
        if (blocks < 1 || features < 1) throw new IllegalArgumentException("MetaEdsr: blocks and features must be positive");
        this.blocks = blocks;
        this.features = features;
        register("sub_mean", Edsr.meanShift(rgbRange, -1f));
        register("head", new Sequential(Edsr.conv(3, features)));
        Sequential body = new Sequential();
        for (int i = 0; i < blocks; i++) body.add(new Edsr.ResBlock(features, resScale));
        body.add(Edsr.conv(features, features));
        register("body", body);
        register("P2W", new MetaUpscale(features)).setScale(scale);
        register("add_mean", Edsr.meanShift(rgbRange, 1f));
    }

    /** The meta-upscale module. */
    public MetaUpscale upscale() {
        return (MetaUpscale) child("P2W");
    }

    /** The scale {@link #forward(Tensor)} uses. */
    public double scale() {
        return upscale().scale();
    }

    /** Sets the scale {@link #forward(Tensor)} uses, in (1, 4]. */
    public void setScale(double scale) {
        upscale().setScale(scale);
    }

    @Override
    public Tensor forward(Tensor x) {
        return forward(x, scale());
    }

    /** RGB {@code [N, 3, h, w]} → {@code [N, 3, ⌊s·h⌋, ⌊s·w⌋]}. */
    @Override
    public Tensor forward(Tensor x, double scale) {
        return child("add_mean").call(upscale().forward(features(x, scale), scale));
    }

    /** Meta-SR's map: output pixel i is made around LR pixel {@code ⌊i·(float)(1/s)⌋} ({@link MetaUpscale.Axis}). */
    @Override
    public int[] sources(int size, double scale) {
        MetaUpscale.checkScale(scale);
        return MetaUpscale.Axis.of(size, scale).source();
    }

    /**
     * A block of the whole image's output from a window: the body runs on the window, the
     * meta-upscale reads it with the whole image's coordinates ({@link MetaUpscale#forward(Tensor,
     * double, Span, Span)}).
     */
    @Override
    public Tensor forward(Tensor window, double scale, Span rows, Span cols) {
        return child("add_mean").call(upscale().forward(features(window, scale), scale, rows, cols));
    }

    /** The body's features (with the skip) of RGB {@code x}, the scale checked first. */
    private Tensor features(Tensor x, double scale) {
        MetaUpscale.checkScale(scale);
        if (x.dim() != 4 || x.size(1) != 3) throw new IllegalArgumentException("MetaEdsr: expected RGB input [N, 3, H, W], got " + Arrays.toString(x.shape()));
        Tensor h = child("head").call(child("sub_mean").call(x));
        return child("body").call(h).add(h);
    }

    @Override
    protected String extraRepr() {
        return "scale=" + scale() + ", blocks=" + blocks + ", features=" + features;
    }

    /** The zoo entry {@code meta-edsr} (built at ×2; any scale in (1, 4] by {@link #setScale}), with EDSR's recipe. */
    public static ModelInfo info() {
        return new ModelInfo("meta-edsr", "Meta-SR: EDSR baseline body (16 blocks, 64 features) with the meta-upscale module,"
                + " one model for any scale in (1, 4] (built at x2)", new int[] {3, 48, 48}, "div2k", new float[0], new float[0], false,
                new Recipe("adam", 1e-4, 0, 0, "step", 300, 16), () -> new MetaEdsr(2));
    }
}
