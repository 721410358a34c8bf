package dev.tersor.nn.data;

import dev.tersor.tensor.Generator;

/**
 * Mirrors each image left to right with probability {@code p}: {@code out[c, y, x] = in[c, y, W-1-x]}.
 * One {@code gen.nextFloat()} per sample, in order, whatever {@code p} is; a sample flips when that
 * draw is below {@code p}.
 *
 * @param p flip probability in [0, 1]
 */
public record RandomHorizontalFlip(float p) implements Transform {
    public RandomHorizontalFlip {
        if (!(p >= 0 && p <= 1)) throw new IllegalArgumentException("flip probability must be in [0, 1], got " + p);
    }

    /** Flips with probability 0.5. */
    public RandomHorizontalFlip() {
        this(0.5f);
    }

    @Override
    public void apply(float[] in, float[] out, int n, int[] sampleShape, Generator gen) {
        Transform.requireImage("RandomHorizontalFlip", sampleShape);
        int rows = sampleShape[0] * sampleShape[1];   // all rows of all channels of one sample
        int w = sampleShape[2];
        for (int s = 0, base = 0; s < n; s++, base += rows * w) {
            boolean flip = gen.nextFloat() < p;
            if (!flip) {
                if (in != out) System.arraycopy(in, base, out, base, rows * w);
                continue;
            }
            for (int r = 0, row = base; r < rows; r++, row += w) {
                for (int x = 0, y = w - 1; x <= y; x++, y--) {   // swap pairs: works in place too
                    float a = in[row + x];
                    float b = in[row + y];
                    out[row + x] = b;
                    out[row + y] = a;
                }
            }
        }
    }
}
