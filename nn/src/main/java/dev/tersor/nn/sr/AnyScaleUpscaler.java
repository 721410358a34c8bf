package dev.tersor.nn.sr;

import dev.tersor.nn.Module;
import dev.tersor.nn.sr.WindowedModel.Span;
import dev.tersor.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * {@link Upscaler}'s tiles at any scale s &gt; 1, integer or not, for a {@link WindowedModel}
 * (Meta-SR): RGB {@code [1, 3, h, w]} in [0, 255] → {@code [1, 3, ⌊s·h⌋, ⌊s·w⌋]} with memory bounded
 * by one tile.
 * <pre>{@code
 * AnyScaleUpscaler up = AnyScaleUpscaler.of(metaEdsr, 2.5);
 * Image sr = up.upscale(Image.read(Path.of("in.png")), null);
 * }</pre>
 *
 * <p><b>Tiles.</b> The LR image is cut into the tiles of {@link Upscaler} (sides of {@code tile},
 * each run with up to {@code margin} pixels of context). At a non-integer scale a tile's output is
 * not {@code s·tile} pixels at {@code s·top}: along each axis the model's coordinate map
 * ({@link WindowedModel#sources}; Meta-SR's output pixel i is made around LR pixel
 * {@code ⌊i·(float)(1/s)⌋}) says which LR pixel each output pixel belongs to, and a tile owns the
 * output pixels whose LR pixel lies in it. The map is non-decreasing, so those are one contiguous
 * range per axis, the ranges of the tiles partition the output (every output pixel is produced by
 * exactly one tile), and a tile whose LR pixels own none (at ×1.2 an image's last LR row can be
 * nobody's source) is not run. The model computes that block with the whole image's coordinates
 * ({@link WindowedModel#forward(Tensor, double, Span, Span)}: the same source pixels and offsets
 * as in one pass), so when {@code margin} is at least the model's receptive radius
 * ({@link Upscaler#receptiveRadius}: the body's plus 1 for Meta-SR's 3×3 read around the source
 * pixel) every output pixel sees exactly the features, and the Pos2Weight weights, of a one-pass
 * forward of the whole image; the stitched result is that pass's bit for bit wherever the
 * backend's convolutions round alike inside a tile and in the whole image (the reference
 * backend), to float rounding elsewhere, as for integer scales.
 *
 * <p>Inference runs in eval mode without recording gradients (the model's mode is restored); the
 * image output is quantised as EDSR's {@code quantize}.
 */
public final class AnyScaleUpscaler {
    private final WindowedModel model;
    private final double scale;
    private final int tile, margin;

    /**
     * @param model  the SR model (when it is a {@link Module}, run in eval mode)
     * @param scale  the factor s, finite and {@code > 1} (the model may restrict it further: Meta-SR to (1, 4])
     * @param tile   tile side in LR pixels, {@code >= 1}
     * @param margin context around each tile in LR pixels, {@code >= 0} ({@link Upscaler#receptiveRadius} for exact results)
     */
    public AnyScaleUpscaler(WindowedModel model, double scale, int tile, int margin) {
        this.model = Objects.requireNonNull(model, "model");
        if (!(scale > 1) || Double.isInfinite(scale)) throw new IllegalArgumentException("scale must be a finite number > 1, got " + scale);
        if (tile < 1) throw new IllegalArgumentException("tile must be >= 1 LR pixel, got " + tile);
        if (margin < 0) throw new IllegalArgumentException("margin must be >= 0 LR pixels, got " + margin);
        this.scale = scale;
        this.tile = tile;
        this.margin = margin;
    }

    /** A tiler of {@code model} with {@link Upscaler#DEFAULT_TILE} and the model's {@link Upscaler#receptiveRadius} as margin. */
    public static <M extends Module & WindowedModel> AnyScaleUpscaler of(M model, double scale) {
        return new AnyScaleUpscaler(model, scale, Upscaler.DEFAULT_TILE, Upscaler.receptiveRadius(model));
    }

    /** The scale. */
    public double scale() {
        return scale;
    }

    /** The tile side in LR pixels. */
    public int tile() {
        return tile;
    }

    /** The margin in LR pixels. */
    public int margin() {
        return margin;
    }

    /** The SR image of {@code lr} (made RGB), {@code ⌊s·W⌋ x ⌊s·H⌋}, quantised to 8 bits; {@code progress} may be null. */
    public Image upscale(Image lr, Upscaler.Progress progress) {
        Tensor out = forward(Upscaler.pixels(lr), progress);
        return Upscaler.quantize(out.reshape(out.shape()[1], out.shape()[2], out.shape()[3]));
    }

    /** The model's output for {@code x} {@code [1, 3, h, w]}, tile by tile as the class describes: {@code [1, 3, ⌊s·h⌋, ⌊s·w⌋]}. */
    public Tensor forward(Tensor x, Upscaler.Progress progress) {
        int[] shape = x.shape();
        if (shape.length != 4 || shape[0] != 1) {
            throw new IllegalArgumentException("AnyScaleUpscaler: expected one image [1, C, h, w], got " + Arrays.toString(shape));
        }
        int c = shape[1], h = shape[2], w = shape[3];
        float[] in = x.contiguous().toArray();
        int[] rowSource = model.sources(h, scale), colSource = model.sources(w, scale);
        int oh = rowSource.length, ow = colSource.length;
        List<Upscaler.Tile> tiles = Upscaler.tiles(h, w, tile, margin);
        return Upscaler.inference(model instanceof Module m ? m : null, () -> {
            float[] out = null;
            int outC = 0;
            for (int n = 0; n < tiles.size(); n++) {
                Upscaler.Tile t = tiles.get(n);
                int r0 = owned(rowSource, t.top()), r1 = owned(rowSource, t.top() + t.height());
                int c0 = owned(colSource, t.left()), c1 = owned(colSource, t.left() + t.width());
                if (r0 < r1 && c0 < c1) {
                    Tensor y = model.forward(Upscaler.crop(in, c, h, w, t), scale, new Span(h, t.y0(), r0, r1), new Span(w, t.x0(), c0, c1));
                    int[] ys = y.shape();
                    if (ys.length != 4 || ys[2] != r1 - r0 || ys[3] != c1 - c0) {
                        throw new IllegalArgumentException("AnyScaleUpscaler: asked for output rows " + r0 + ".." + r1 + ", columns " + c0 + ".."
                                + c1 + " at x" + scale + ", the model gave " + Arrays.toString(ys));
                    }
                    if (out == null) {
                        outC = ys[1];
                        out = new float[Math.multiplyExact(outC, Math.multiplyExact(oh, ow))];
                    }
                    Upscaler.paste(y.contiguous().toArray(), ys[2], ys[3], out, outC, oh, ow, 0, 0, r0, c0, ys[2], ys[3]);
                }
                if (progress != null) progress.tiles(n + 1, tiles.size());
            }
            return Tensor.fromArray(out, 1, outC, oh, ow);
        });
    }

    /** The first output index whose source pixel is {@code >= lr} in the non-decreasing {@code source} (its length when none). */
    static int owned(int[] source, int lr) {
        int lo = 0, hi = source.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (source[mid] < lr) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }
}
