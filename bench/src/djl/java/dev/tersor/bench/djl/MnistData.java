package dev.tersor.bench.djl;

import dev.tersor.nn.data.Mnist;
import dev.tersor.nn.data.TensorDataset;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Random;

/**
 * MNIST training images for both sides, read once by Tersor's IDX reader and normalised as
 * Tersor's LeNet-5 recipe does: {@code x = (pixel/255 − 0.1307) / 0.3081}, images
 * {@code [N, 1, 28, 28]} row-major in one array. Batches of the recipe's 64 in a seeded shuffled
 * order, the last partial batch dropped; both sides see the same batches.
 */
final class MnistData {
    static final int PIXELS = 28 * 28;
    static final int BATCH = 64;

    final float[] images;   // [N, 784]
    final int[] labels;     // [N]
    final String source;

    private MnistData(float[] images, int[] labels, String source) {
        this.images = images;
        this.labels = labels;
        this.source = source;
    }

    /** The training split from {@code dir} (raw or .gz IDX files), or the bundled 8,000-image sample when null. */
    static MnistData load(Path dir) throws IOException {
        TensorDataset ds = dir == null ? Mnist.bundledSample(true) : Mnist.load(dir, true);
        float[] x = ds.inputs().toArray();
        for (int i = 0; i < x.length; i++) x[i] = (x[i] - 0.1307f) / 0.3081f;
        return new MnistData(x, ds.labels().toArray(), dir == null ? "bundled 8,000-image sample" : dir.toString());
    }

    int size() {
        return labels.length;
    }

    /** Full batches per epoch. */
    int steps() {
        return size() / BATCH;
    }

    /** A seeded permutation of the sample indices (Fisher–Yates). */
    int[] order(long seed) {
        int[] p = new int[size()];
        for (int i = 0; i < p.length; i++) p[i] = i;
        Random r = new Random(seed);
        for (int i = p.length - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** Copies batch {@code step} of {@code order} into {@code x} [64·784] and {@code y} [64]. */
    void batch(int[] order, int step, float[] x, int[] y) {
        for (int b = 0; b < BATCH; b++) {
            int i = order[step * BATCH + b];
            System.arraycopy(images, i * PIXELS, x, b * PIXELS, PIXELS);
            y[b] = labels[i];
        }
    }
}
