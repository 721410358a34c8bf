package dev.tersor.nn.data;

import dev.tersor.tensor.Generator;
import java.util.Arrays;

/**
 * Pads each image with {@code padding} zeros on every side, then cuts a {@code size x size}
 * window at a random offset, independently per sample (the CIFAR augmentation
 * {@code RandomCrop(32, padding=4)}). For each sample, in order, the top offset is
 * {@code gen.nextInt(H + 2*padding - size + 1)}, then the left offset
 * {@code gen.nextInt(W + 2*padding - size + 1)}; then
 * {@code out[c, y, x] = in[c, y + top - padding, x + left - padding]}, or 0 outside the image.
 *
 * @param size output height and width, positive
 * @param padding zeros added on each side, {@code >= 0}
 */
public record RandomCrop(int size, int padding) implements Transform {
    public RandomCrop {
        if (size <= 0) throw new IllegalArgumentException("crop size must be positive, got " + size);
        if (padding < 0) throw new IllegalArgumentException("crop padding must be >= 0, got " + padding);
    }

    @Override
    public int[] outputShape(int[] sampleShape) {
        Transform.requireImage("RandomCrop", sampleShape);
        if (sampleShape[1] + 2L * padding < size || sampleShape[2] + 2L * padding < size) {
            throw new IllegalArgumentException("RandomCrop(" + size + ", padding " + padding + ") does not fit images "
                    + Arrays.toString(sampleShape) + ": the padded image is smaller than the crop");
        }
        return new int[] {sampleShape[0], size, size};
    }

    @Override
    public void apply(float[] in, float[] out, int n, int[] sampleShape, Generator gen) {
        outputShape(sampleShape);
        int channels = sampleShape[0];
        int h = sampleShape[1];
        int w = sampleShape[2];
        int inSample = channels * h * w;
        int outSample = channels * size * size;
        float[] scratch = in == out ? new float[inSample] : null;
        for (int s = 0; s < n; s++) {
            int top = gen.nextInt(h + 2 * padding - size + 1) - padding;    // source row of output row 0
            int left = gen.nextInt(w + 2 * padding - size + 1) - padding;   // source column of output column 0
            float[] src = in;
            int srcBase = s * inSample;
            if (scratch != null) {   // in place: keep the input sample before overwriting it
                System.arraycopy(in, srcBase, scratch, 0, inSample);
                src = scratch;
                srcBase = 0;
            }
            int x0 = Math.max(0, -left);                  // first output column inside the image
            int x1 = Math.min(size, w - left);            // one past the last
            for (int c = 0; c < channels; c++) {
                int outPlane = s * outSample + c * size * size;
                int inPlane = srcBase + c * h * w;
                for (int y = 0; y < size; y++) {
                    int row = outPlane + y * size;
                    int sy = y + top;
                    if (sy < 0 || sy >= h || x0 >= x1) {
                        Arrays.fill(out, row, row + size, 0f);
                        continue;
                    }
                    Arrays.fill(out, row, row + x0, 0f);
                    System.arraycopy(src, inPlane + sy * w + x0 + left, out, row + x0, x1 - x0);
                    Arrays.fill(out, row + x1, row + size, 0f);
                }
            }
        }
    }
}
