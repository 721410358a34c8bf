package dev.tersor.nn.data;

import dev.tersor.tensor.Generator;
import java.util.Arrays;

/**
 * Per-channel standardization {@code out[n, c, y, x] = (in[n, c, y, x] - mean[c]) / std[c]}, as
 * torchvision's {@code Normalize}. One mean and std per channel, or one of each for all channels.
 * <pre>{@code
 * new Normalize(new float[] {0.1307f}, new float[] {0.3081f})   // MNIST
 * }</pre>
 *
 * @param mean per-channel means (copied)
 * @param std per-channel standard deviations, positive and finite (copied)
 */
public record Normalize(float[] mean, float[] std) implements Transform {
    public Normalize {
        if (mean == null || std == null || mean.length == 0 || mean.length != std.length) {
            throw new IllegalArgumentException("Normalize needs as many means as stds (at least one), got "
                    + Arrays.toString(mean) + " and " + Arrays.toString(std));
        }
        mean = mean.clone();
        std = std.clone();
        for (int c = 0; c < std.length; c++) {
            if (!(std[c] > 0) || Float.isInfinite(std[c]) || !Float.isFinite(mean[c])) {
                throw new IllegalArgumentException("Normalize channel " + c + ": mean must be finite and std positive and finite, got mean "
                        + mean[c] + ", std " + std[c]);
            }
        }
    }

    /** A copy of the means. */
    @Override
    public float[] mean() {
        return mean.clone();
    }

    /** A copy of the standard deviations. */
    @Override
    public float[] std() {
        return std.clone();
    }

    @Override
    public int[] outputShape(int[] sampleShape) {
        Transform.requireImage("Normalize", sampleShape);
        if (mean.length != 1 && mean.length != sampleShape[0]) {
            throw new IllegalArgumentException("Normalize has " + mean.length + " channels but the images have "
                    + sampleShape[0] + " (shape " + Arrays.toString(sampleShape) + ")");
        }
        return sampleShape.clone();
    }

    @Override
    public void apply(float[] in, float[] out, int n, int[] sampleShape, Generator gen) {
        outputShape(sampleShape);
        int channels = sampleShape[0];
        int plane = sampleShape[1] * sampleShape[2];
        for (int s = 0, p = 0; s < n; s++) {
            for (int c = 0; c < channels; c++, p += plane) {
                float m = mean[mean.length == 1 ? 0 : c];
                float d = std[std.length == 1 ? 0 : c];
                for (int i = p; i < p + plane; i++) out[i] = (in[i] - m) / d;
            }
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Normalize other && Arrays.equals(mean, other.mean) && Arrays.equals(std, other.std);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(mean) + Arrays.hashCode(std);
    }

    @Override
    public String toString() {
        return "Normalize[mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + "]";
    }
}
