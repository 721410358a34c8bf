package dev.tersor.nn.sr;

import dev.tersor.tensor.Tensor;
import java.util.Arrays;

/**
 * PyTorch's bicubic upsampling, {@code nn.Upsample(scale_factor=f, mode='bicubic',
 * align_corners=False)} (what DRN runs on its input), by an integer factor: {@code [N, C, h, w]} →
 * {@code [N, C, f·h, f·w]}. Not MATLAB's {@link Bicubic}: Keys' cubic with a = −0.75, no
 * antialiasing, edge pixels repeated (indices clamped), output not clamped or rounded:
 * <pre>
 * u = (x + 0.5)/f − 0.5,   x0 = ⌊u⌋,   t = u − x0
 * y[x] = Σ_{k=−1..2} w_k(t) · in[clamp(x0 + k, 0, h − 1)]
 * w(d) = (a + 2)|d|³ − (a + 3)|d|² + 1 for |d| ≤ 1,   a|d|³ − 5a|d|² + 8a|d| − 4a for 1 &lt; |d| &lt; 2
 * </pre>
 * one axis after the other (rows, then columns; the order does not change the result beyond
 * rounding). It has no gradient: DRN applies it to input images only, so an input that requires
 * a gradient is refused.
 */
public final class TorchBicubic {
    /** PyTorch's cubic coefficient. */
    public static final double A = -0.75;

    private TorchBicubic() {}

    /** The four tap weights for fractional position {@code t} in [0, 1): taps at −1, 0, 1, 2. */
    public static double[] weights(double t) {
        return new double[] {far(t + 1), near(t), near(1 - t), far(2 - t)};
    }

    private static double near(double d) {
        return ((A + 2) * d - (A + 3)) * d * d + 1;
    }

    private static double far(double d) {
        return ((A * d - 5 * A) * d + 8 * A) * d - 4 * A;
    }

    /** {@code x} {@code [N, C, h, w]} upsampled by {@code factor >= 1}. */
    public static Tensor upsample(Tensor x, int factor) {
        if (x.dim() != 4) throw new IllegalArgumentException("bicubic upsample: expected [N, C, H, W], got " + Arrays.toString(x.shape()));
        if (factor < 1) throw new IllegalArgumentException("bicubic upsample: factor must be >= 1, got " + factor);
        if (x.requiresGrad()) throw new IllegalArgumentException("bicubic upsample: has no gradient; pass an input image that does not require one");
        int n = x.size(0) * x.size(1), h = x.size(2), w = x.size(3), oh = h * factor, ow = w * factor;
        float[] in = x.contiguous().toArray();
        float[] mid = new float[n * oh * w], out = new float[n * oh * ow];
        for (int p = 0; p < n; p++) {
            resample(in, p * h * w, w, 1, h, mid, p * oh * w, w, 1, factor, w);            // rows: stride w
            resample(mid, p * oh * w, 1, w, w, out, p * oh * ow, 1, ow, factor, oh);       // columns: stride 1
        }
        return Tensor.fromArray(out, x.size(0), x.size(1), oh, ow);
    }

    /**
     * Resamples {@code lines} lines of {@code len} samples (sample stride {@code step}, line
     * stride {@code lineStep}) from {@code src} into lines of {@code factor·len} samples in {@code dst}
     * (sample stride {@code dstStep}, line stride {@code dstLine}).
     */
    private static void resample(float[] src, int srcOff, int step, int lineStep, int len, float[] dst, int dstOff, int dstStep,
                                 int dstLine, int factor, int lines) {
        int outLen = len * factor;
        for (int x = 0; x < outLen; x++) {
            double u = (x + 0.5) / factor - 0.5;
            int x0 = (int) Math.floor(u);
            double[] wt = weights(u - x0);
            int[] idx = new int[4];
            for (int k = 0; k < 4; k++) idx[k] = Math.min(Math.max(x0 - 1 + k, 0), len - 1);
            for (int l = 0; l < lines; l++) {
                int s = srcOff + l * lineStep;
                double v = 0;
                for (int k = 0; k < 4; k++) v += wt[k] * src[s + idx[k] * step];
                dst[dstOff + l * dstLine + x * dstStep] = (float) v;
            }
        }
    }
}
