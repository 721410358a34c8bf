package dev.tersor.nn.sr;

import dev.tersor.nn.Module;
import dev.tersor.nn.sr.BicubicBaseline.Score;
import dev.tersor.tensor.Tensor;
import java.util.Objects;

/**
 * {@link SrEvaluation}'s scoring for a model that takes any scale s &gt; 1, integer or not
 * ({@link AnyScaleModel}: Meta-SR), one whole image per forward pass (no tiles: memory grows with
 * the image).
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

    /** Both rows for one HR image named {@code name} at {@code scale}. */
    public static SrEvaluation.Row evaluate(String name, Image hr, AnyScaleModel model, double scale) {
        Objects.requireNonNull(model, "model");
        if (!(scale > 1) || Double.isInfinite(scale)) throw new IllegalArgumentException("scale must be > 1, got " + scale);
        int rows = (int) Math.floor(scale * Math.floor(hr.height() / scale)), cols = (int) Math.floor(scale * Math.floor(hr.width() / scale));
        int k = (int) Math.ceil(scale);
        if (rows - rows % k < 2 * k + Metrics.SSIM_WINDOW || cols - cols % k < 2 * k + Metrics.SSIM_WINDOW) {
            throw new IllegalArgumentException(name + ": image is " + hr.size() + ", too small to score a x" + scale + " super-resolution");
        }
        Image h = hr.rgb().crop(0, 0, rows, cols);
        Image lr = Bicubic.downscale(h, scale);
        Image sr = upscale(model, lr, scale);
        if (sr.height() != rows || sr.width() != cols) {
            throw new IllegalArgumentException(name + ": the model made " + sr.size() + " from " + lr.size() + " at x" + scale + ", expected "
                    + cols + "x" + rows);
        }
        Image bic = Bicubic.resize(lr, rows, cols);
        return new SrEvaluation.Row(score(name, sr, h, scale), score(name, bic, h, scale));
    }

    /** The quantised SR image of {@code lr} by {@code scale}, in eval mode without gradients (the model's mode is restored). */
    public static Image upscale(AnyScaleModel model, Image lr, double scale) {
        Image rgb = lr.rgb();
        Module m = model instanceof Module mod ? mod : null;
        boolean training = m != null && m.isTraining();
        if (m != null) m.eval();
        try (var g = Tensor.noGrad()) {
            Tensor out = model.forward(rgb.toTensor().mul(255f).unsqueeze(0), scale);
            return Upscaler.quantize(out.reshape(out.shape()[1], out.shape()[2], out.shape()[3]));
        } finally {
            if (training) m.train();
        }
    }

    private static Score score(String name, Image sr, Image hr, double scale) {
        return new Score(name, hr.height(), hr.width(), Metrics.psnr(sr, hr, scale), Metrics.ssim(sr, hr, scale),
                Metrics.psnr(sr, hr, scale, Metrics.Space.RGB));
    }
}
