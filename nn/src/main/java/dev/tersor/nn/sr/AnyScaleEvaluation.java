package dev.tersor.nn.sr;

import dev.tersor.nn.Module;
import dev.tersor.nn.sr.BicubicBaseline.Score;
import dev.tersor.tensor.Tensor;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * {@link SrEvaluation}'s scoring for a model that takes any scale s &gt; 1, integer or not
 * ({@link AnyScaleModel}: Meta-SR), one whole image per forward pass (memory grows with the
 * image), or in tiles ({@link AnyScaleUpscaler}, memory bounded by a tile; what
 * {@code tersor eval --task sr} runs).
 * <ol>
 *   <li>the HR image is made RGB and cropped to {@code H' = ⌊s·L⌋} rows with {@code L = ⌊H/s⌋}
 *       (the same for columns), so that the LR image {@link Bicubic#downscale}{@code (hr, s)} has
 *       {@code ⌈H'/s⌉ = L} rows and the model's {@code ⌊s·L⌋}-row output matches the HR image
 *       (for an integer s this is the usual crop to a multiple of s);</li>
 *   <li>the output is quantised to 8 bits and scored with {@link Metrics} at s (both images cropped
 *       to multiples of ⌈s⌉, ⌈s⌉ pixels shaved);</li>
 *   <li>the bicubic row upscales the same LR image with {@link Bicubic#resize} to {@code H' × W'}
 *       (MATLAB's {@code imresize(lr, [H' W'])}: for a non-integer s its scale is
 *       {@code H'/L}, not exactly s).</li>
 * </ol>
 * The official Meta-SR test crops the HR image by 4 pixels when s does not divide its size and
 * compares against the model's output as it comes; the crop here makes the sizes agree by
 * construction.
 */
public final class AnyScaleEvaluation {
    private AnyScaleEvaluation() {}

    /** Both rows for one HR image named {@code name} at {@code scale}, the model run on the whole image in one pass. */
    public static SrEvaluation.Row evaluate(String name, Image hr, AnyScaleModel model, double scale) {
        Objects.requireNonNull(model, "model");
        return evaluate(name, hr, scale, lr -> upscale(model, lr, scale));
    }

    /** Both rows for one HR image named {@code name}, the model run in {@code upscaler}'s tiles at its scale (the same scores, to float rounding). */
    public static SrEvaluation.Row evaluate(String name, Image hr, AnyScaleUpscaler upscaler) {
        return evaluate(name, hr, upscaler.scale(), lr -> upscaler.upscale(lr, null));
    }

    /**
     * Every file of {@code files} (read one at a time) that is {@link #scorable} at the tiler's
     * scale, as {@link SrEvaluation#evaluate(List, SrEvaluation.Scorer, PrintStream)}; rows are named by file name.
     *
     * @throws IOException naming the file when one cannot be read or decoded
     */
    public static SrEvaluation.Result evaluate(List<Path> files, AnyScaleUpscaler upscaler, PrintStream log) throws IOException {
        return SrEvaluation.evaluate(files, scorer(upscaler), log);
    }

    /** This class's scoring with {@code upscaler}: {@link #scorable} and {@link #evaluate(String, Image, AnyScaleUpscaler)}. */
    public static SrEvaluation.Scorer scorer(AnyScaleUpscaler upscaler) {
        Objects.requireNonNull(upscaler, "upscaler");
        return new SrEvaluation.Scorer() {
            @Override
            public boolean scorable(Image hr) {
                return AnyScaleEvaluation.scorable(hr, upscaler.scale());
            }

            @Override
            public SrEvaluation.Row evaluate(String name, Image hr) {
                return AnyScaleEvaluation.evaluate(name, hr, upscaler);
            }
        };
    }

    /**
     * True when {@code hr} can be scored at {@code scale}: after the crop to {@code ⌊s·⌊H/s⌋⌋} rows
     * (columns alike), {@link Metrics}' crop to multiples of {@code ⌈s⌉} and its shave of {@code ⌈s⌉}
     * per side, at least {@link Metrics#SSIM_WINDOW} pixels are left each way.
     */
    public static boolean scorable(Image hr, double scale) {
        return scorable(hr.height(), checkScale(scale)) && scorable(hr.width(), scale);
    }

    /** The smallest side {@link #scorable} at {@code scale} ({@link SrEvaluation#minimumSide} for an integer scale: 16 at x2). */
    public static int minimumSide(double scale) {
        checkScale(scale);
        int side = 1;
        while (!scorable(side, scale)) side++;   // the kept size never shrinks as the side grows
        return side;
    }

    private static boolean scorable(int side, double scale) {
        int kept = cropped(side, scale), k = (int) Math.ceil(scale);
        return kept - kept % k >= 2 * k + Metrics.SSIM_WINDOW;
    }

    /** {@code ⌊s·⌊n/s⌋⌋}: the HR side whose MATLAB downscale by s has {@code ⌊n/s⌋} pixels and whose SR by s has the same side. */
    private static int cropped(int n, double scale) {
        return (int) Math.floor(scale * Math.floor(n / scale));
    }

    private static double checkScale(double scale) {
        if (!(scale > 1) || Double.isInfinite(scale)) throw new IllegalArgumentException("scale must be > 1, got " + scale);
        return scale;
    }

    private static SrEvaluation.Row evaluate(String name, Image hr, double scale, UnaryOperator<Image> model) {
        checkScale(scale);
        if (!scorable(hr, scale)) {
            throw new IllegalArgumentException(name + ": image is " + hr.size() + ", too small to score a x" + scale + " super-resolution");
        }
        int rows = cropped(hr.height(), scale), cols = cropped(hr.width(), scale);
        Image h = hr.rgb().crop(0, 0, rows, cols);
        Image lr = Bicubic.downscale(h, scale);
        Image sr = model.apply(lr);
        if (sr.height() != rows || sr.width() != cols) {
            throw new IllegalArgumentException(name + ": the model made " + sr.size() + " from " + lr.size() + " at x" + scale + ", expected "
                    + cols + "x" + rows);
        }
        Image bic = Bicubic.resize(lr, rows, cols);
        return new SrEvaluation.Row(score(name, sr, h, scale), score(name, bic, h, scale));
    }

    /** The quantised SR image of {@code lr} by {@code scale}, in eval mode without gradients (the model's mode is restored). */
    public static Image upscale(AnyScaleModel model, Image lr, double scale) {
        return Upscaler.inference(model instanceof Module m ? m : null, () -> {
            Tensor out = model.forward(Upscaler.pixels(lr), scale);
            return Upscaler.quantize(out.reshape(out.shape()[1], out.shape()[2], out.shape()[3]));
        });
    }

    private static Score score(String name, Image sr, Image hr, double scale) {
        return new Score(name, hr.height(), hr.width(), Metrics.psnr(sr, hr, scale), Metrics.ssim(sr, hr, scale),
                Metrics.psnr(sr, hr, scale, Metrics.Space.RGB));
    }
}
