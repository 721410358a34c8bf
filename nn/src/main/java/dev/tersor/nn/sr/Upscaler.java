package dev.tersor.nn.sr;

import dev.tersor.nn.Conv2d;
import dev.tersor.nn.Module;
import dev.tersor.nn.adder.AdderConv2d;
import dev.tersor.nn.shift.GhostShift;
import dev.tersor.tensor.Conv2dOptions;
import dev.tersor.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Whole-image super-resolution with a fully convolutional model (EDSR: RGB {@code [N, 3, h, w]}
 * in [0, 255] → {@code [N, 3, s·h, s·w]}), in tiles so that memory stays bounded for any image.
 * <pre>{@code
 * Upscaler up = new Upscaler(model, 2, 96, Upscaler.receptiveRadius(model));
 * Image sr = up.upscale(Image.read(Path.of("in.png")), null);
 * }</pre>
 *
 * <p><b>Tiles.</b> The LR image is cut into tiles of {@code tile x tile} pixels (the last row and
 * column of tiles may be smaller). Each tile is run together with up to {@code margin} pixels of
 * the image around it (fewer where the image ends), and only the output of the tile itself,
 * {@code s·tile x s·tile}, is kept. An output pixel depends on the input pixels within the
 * model's receptive radius {@code r} (in LR pixels); when {@code margin >= r} every kept pixel sees
 * exactly the pixels (and, at the image border, the zero padding) it sees in a forward pass of
 * the whole image, so the stitched result equals that pass; a smaller margin gives seams.
 * Memory holds one tile's activations: about {@code (tile + 2·margin)²·features·4} bytes per
 * feature map (and {@code s²} times that at the upsampler).
 *
 * <p>Inference runs in eval mode without recording gradients (the model's mode is restored).
 * The output is quantised as EDSR's {@code quantize}: {@code round(clamp(v, 0, 255))}.
 */
public final class Upscaler {
    /** The default tile side in LR pixels: 96 (with EDSR baseline's margin of 36, a 168×168 forward pass). */
    public static final int DEFAULT_TILE = 96;

    private final Module model;
    private final int scale, tile, margin;

    /** Reports progress: {@code done} of {@code total} tiles finished. */
    @FunctionalInterface
    public interface Progress {
        void tiles(int done, int total);
    }

    /**
     * @param model  the SR model, taking {@code [1, 3, h, w]} in [0, 255] to {@code [1, 3, s·h, s·w]}
     * @param scale  its factor s, {@code >= 2}
     * @param tile   tile side in LR pixels, {@code >= 1}
     * @param margin context around each tile in LR pixels, {@code >= 0} ({@link #receptiveRadius} for exact results)
     */
    public Upscaler(Module model, int scale, int tile, int margin) {
        this.model = Objects.requireNonNull(model, "model");
        if (scale < 2) throw new IllegalArgumentException("scale must be an integer >= 2, got " + scale);
        if (tile < 1) throw new IllegalArgumentException("tile must be >= 1 LR pixel, got " + tile);
        if (margin < 0) throw new IllegalArgumentException("margin must be >= 0 LR pixels, got " + margin);
        this.scale = scale;
        this.tile = tile;
        this.margin = margin;
    }

    /** A tiler of {@code model} with {@link #DEFAULT_TILE} and the model's {@link #receptiveRadius} as margin. */
    public static Upscaler of(Module model, int scale) {
        return new Upscaler(model, scale, DEFAULT_TILE, receptiveRadius(model));
    }

    /** The scale. */
    public int scale() {
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

    /**
     * An upper bound of the receptive radius of a model that never downsamples, in LR pixels:
     * the sum over its {@link Conv2d}s and {@link AdderConv2d}s of {@code dilation·(k − 1)/2}
     * (the larger of height and width), plus 1 per {@link GhostShift} (a one-pixel move) and per
     * {@link MetaUpscale} (its 3×3 read around the source pixel). Counting every layer as if it ran
     * at the LR resolution over-counts layers after the upsampler, and residual branches add
     * nothing; so for EDSR baseline ×2 (36 3×3 convolutions at LR or HR, and two 1×1) it gives 36.
     * A model that is a {@link TileMargin} states its own.
     *
     * @throws IllegalArgumentException when a convolution has a stride above 1 (the bound would not hold)
     */
    public static int receptiveRadius(Module model) {
        if (model instanceof TileMargin t) return t.tileMargin();
        int r = 0;
        for (var e : model.namedModules().entrySet()) {
            Module m = e.getValue();
            Conv2dOptions o = null;
            int[] k = null;
            if (m instanceof Conv2d c) {
                o = c.options();
                k = c.weight().shape();
            } else if (m instanceof AdderConv2d c) {
                o = c.options();
                k = c.weight().shape();
            } else if (m instanceof GhostShift || m instanceof MetaUpscale) {
                r += 1;
            }
            if (o == null) continue;
            if (o.strideH() != 1 || o.strideW() != 1) {
                throw new IllegalArgumentException("receptive radius: " + e.getKey() + " has stride " + o.strideH() + "x" + o.strideW()
                        + "; tiling needs a model that never downsamples");
            }
            r += Math.max((o.dilationH() * (k[2] - 1) + 1) / 2, (o.dilationW() * (k[3] - 1) + 1) / 2);
        }
        return r;
    }

    /** {@link #upscale(Image, Progress)} without progress. */
    public Image upscale(Image lr) {
        return upscale(lr, null);
    }

    /**
     * The SR image of {@code lr} (a gray image is made RGB, as EDSR's {@code set_channel}): RGB,
     * {@code s·W x s·H}, quantised to 8 bits.
     */
    public Image upscale(Image lr, Progress progress) {
        Tensor out = forward(pixels(lr), progress);
        return quantize(out.reshape(out.shape()[1], out.shape()[2], out.shape()[3]));
    }

    /** {@code lr} made RGB, as {@code [1, 3, H, W]} in [0, 255] (the 8-bit values themselves). */
    static Tensor pixels(Image lr) {
        Image rgb = lr.rgb();
        byte[] p = rgb.pixels();
        float[] v = new float[p.length];
        for (int i = 0; i < p.length; i++) v[i] = p[i] & 0xFF;
        return Tensor.fromArray(v, 1, 3, rgb.height(), rgb.width());
    }

    /** EDSR's {@code quantize} of a {@code [C, H, W]} tensor in [0, 255]: {@code round(clamp(v, 0, 255))}, ties away from zero. */
    public static Image quantize(Tensor t) {
        int[] s = t.shape();
        if (s.length != 3) throw new IllegalArgumentException("an image tensor must be [C, H, W], got " + Arrays.toString(s));
        float[] v = t.toArray();
        byte[] out = new byte[v.length];
        for (int i = 0; i < v.length; i++) out[i] = (byte) Image.toByte(v[i]);
        return new Image(s[0], s[1], s[2], out);
    }

    /**
     * The model's output for {@code x} {@code [1, C, h, w]}, computed tile by tile as the class
     * describes: {@code [1, C', s·h, s·w]}.
     */
    public Tensor forward(Tensor x, Progress progress) {
        int[] shape = x.shape();
        if (shape.length != 4 || shape[0] != 1) {
            throw new IllegalArgumentException("Upscaler: expected one image [1, C, h, w], got " + Arrays.toString(shape));
        }
        int c = shape[1], h = shape[2], w = shape[3];
        float[] in = x.contiguous().toArray();
        List<Tile> tiles = tiles(h, w, tile, margin);
        int sh = scale * h, sw = scale * w;
        return inference(model, () -> {
            float[] out = null;
            int outC = 0;
            for (int n = 0; n < tiles.size(); n++) {
                Tile t = tiles.get(n);
                Tensor y = model.call(crop(in, c, h, w, t));
                int[] ys = y.shape();
                if (ys.length != 4 || ys[2] != scale * t.windowHeight() || ys[3] != scale * t.windowWidth()) {
                    throw new IllegalArgumentException("Upscaler: the model turned [1, " + c + ", " + t.windowHeight() + ", " + t.windowWidth()
                            + "] into " + Arrays.toString(ys) + ", not a x" + scale + " image");
                }
                if (out == null) {
                    outC = ys[1];
                    out = new float[Math.multiplyExact(outC, Math.multiplyExact(sh, sw))];
                }
                paste(y.contiguous().toArray(), ys[2], ys[3], out, outC, sh, sw,
                        scale * (t.top() - t.y0()), scale * (t.left() - t.x0()), scale * t.top(), scale * t.left(), scale * t.height(), scale * t.width());
                if (progress != null) progress.tiles(n + 1, tiles.size());
            }
            return Tensor.fromArray(out, 1, outC, sh, sw);
        });
    }

    /**
     * One tile: the LR pixels {@code [top, top + height) × [left, left + width)}, run with the
     * window {@code [y0, y1) × [x0, x1)} around them (the margin, cut where the image ends).
     */
    record Tile(int top, int left, int height, int width, int y0, int x0, int y1, int x1) {
        int windowHeight() {
            return y1 - y0;
        }

        int windowWidth() {
            return x1 - x0;
        }
    }

    /** The tiles of an {@code h × w} image, row by row: sides of {@code tile} (less at the last row and column), {@code margin} around. */
    static List<Tile> tiles(int h, int w, int tile, int margin) {
        List<Tile> tiles = new ArrayList<>();
        for (int top = 0; top < h; top += tile) {
            for (int left = 0; left < w; left += tile) {
                int th = Math.min(tile, h - top), tw = Math.min(tile, w - left);
                tiles.add(new Tile(top, left, th, tw, Math.max(0, top - margin), Math.max(0, left - margin),
                        Math.min(h, top + th + margin), Math.min(w, left + tw + margin)));
            }
        }
        return tiles;
    }

    /** {@code body} with {@code model} (null: none) in eval mode and no gradients recorded; the model's mode is restored. */
    static <T> T inference(Module model, Supplier<T> body) {
        boolean training = model != null && model.isTraining();
        if (model != null) model.eval();
        try (var g = Tensor.noGrad()) {
            return body.get();
        } finally {
            if (training) model.train();
        }
    }

    /** The window of tile {@code t} of a {@code [c, h, w]} array, as {@code [1, c, t.windowHeight(), t.windowWidth()]}. */
    static Tensor crop(float[] in, int c, int h, int w, Tile t) {
        int hh = t.windowHeight(), ww = t.windowWidth();
        float[] v = new float[c * hh * ww];
        for (int ch = 0; ch < c; ch++) {
            for (int y = 0; y < hh; y++) System.arraycopy(in, (ch * h + t.y0() + y) * w + t.x0(), v, (ch * hh + y) * ww, ww);
        }
        return Tensor.fromArray(v, 1, c, hh, ww);
    }

    /** Copies the {@code th x tw} block at {@code (sy, sx)} of {@code src [c, h, w]} to {@code (dy, dx)} of {@code dst [c, H, W]}. */
    static void paste(float[] src, int h, int w, float[] dst, int c, int dh, int dw, int sy, int sx, int dy, int dx, int th, int tw) {
        for (int ch = 0; ch < c; ch++) {
            for (int y = 0; y < th; y++) System.arraycopy(src, (ch * h + sy + y) * w + sx, dst, (ch * dh + dy + y) * dw + dx, tw);
        }
    }
}
