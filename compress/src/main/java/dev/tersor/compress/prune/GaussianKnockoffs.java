package dev.tersor.compress.prune;

import dev.tersor.tensor.Generator;
import dev.tersor.tensor.Tensor;
import java.util.Arrays;

/**
 * The knockoff source of {@link Scop}: a Gaussian model of the training images, fitted by their
 * mean μ and covariance Σ (D = C·H·W pixels), sampled as μ + L·z with L the Cholesky factor of
 * Σ + δ·I and z ~ N(0, I). SCOP's official code draws its knockoff images from a GAN generator
 * trained on the data set (a DCGAN-style transposed-convolution network, pretrained weights
 * downloaded separately); what SCOP needs of them is that they look like the data to the network
 * while carrying no information about the labels of the real batch. Samples independent of the
 * batch with the data's first and second moments meet that (the same moments second-order
 * model-X knockoffs match, Candès et al. 2018), need no adversarial training, and fit in a
 * D×D matrix. δ = 1e-3 of the mean variance keeps Σ positive definite.
 */
public final class GaussianKnockoffs {
    /** Most pixels per image this model accepts (the factor holds D² doubles). */
    public static final int MAX_DIM = 4096;
    private final int[] shape;      // one image: [C, H, W]
    private final double[] mean;    // [D]
    private final double[] chol;    // [D, D], lower triangular, row-major

    private GaussianKnockoffs(int[] shape, double[] mean, double[] chol) {
        this.shape = shape;
        this.mean = mean;
        this.chol = chol;
    }

    /** Fits the model to {@code images} [N, ...] (normalised as the network sees them), N ≥ 2. */
    public static GaussianKnockoffs fit(Tensor images) {
        int n = images.size(0);
        int d = images.numel() / Math.max(n, 1);
        if (n < 2) throw new IllegalArgumentException("GaussianKnockoffs: need at least 2 images, got " + n);
        if (d > MAX_DIM) throw new IllegalArgumentException("GaussianKnockoffs: images of " + d + " values are more than " + MAX_DIM);
        float[] x = images.contiguous().toArray();
        double[] mean = new double[d];
        for (int i = 0; i < n; i++) for (int j = 0; j < d; j++) mean[j] += x[i * d + j];
        for (int j = 0; j < d; j++) mean[j] /= n;
        double[] cov = new double[d * d];
        double[] row = new double[d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) row[j] = x[i * d + j] - mean[j];
            for (int a = 0; a < d; a++) {
                double ra = row[a];
                if (ra == 0) continue;
                int o = a * d;
                for (int b = 0; b <= a; b++) cov[o + b] += ra * row[b];
            }
        }
        double trace = 0;
        for (int a = 0; a < d; a++) {
            for (int b = 0; b <= a; b++) cov[a * d + b] /= n - 1;
            trace += cov[a * d + a];
        }
        double delta = 1e-3 * Math.max(trace / d, 1e-12);
        for (int a = 0; a < d; a++) cov[a * d + a] += delta;
        int[] shape = Arrays.copyOfRange(images.shape(), 1, images.dim());
        return new GaussianKnockoffs(shape, mean, cholesky(cov, d));
    }

    /** In-place Cholesky of the lower triangle of a symmetric positive definite matrix. */
    private static double[] cholesky(double[] a, int d) {
        for (int j = 0; j < d; j++) {
            double s = a[j * d + j];
            for (int k = 0; k < j; k++) s -= a[j * d + k] * a[j * d + k];
            if (!(s > 0)) throw new IllegalStateException("GaussianKnockoffs: covariance is not positive definite at " + j);
            double ljj = Math.sqrt(s);
            a[j * d + j] = ljj;
            for (int i = j + 1; i < d; i++) {
                double t = a[i * d + j];
                for (int k = 0; k < j; k++) t -= a[i * d + k] * a[j * d + k];
                a[i * d + j] = t / ljj;
            }
            for (int k = j + 1; k < d; k++) a[j * d + k] = 0;
        }
        return a;
    }

    /** {@code n} samples [n, ...shape] drawn with {@code g}. */
    public Tensor sample(int n, Generator g) {
        int d = mean.length;
        float[] z = Tensor.randn(g, n, d).toArray();
        float[] out = new float[n * d];
        for (int s = 0; s < n; s++) {
            for (int i = 0; i < d; i++) {
                double v = mean[i];
                int o = i * d, zs = s * d;
                for (int k = 0; k <= i; k++) v += chol[o + k] * z[zs + k];
                out[s * d + i] = (float) v;
            }
        }
        int[] sh = new int[shape.length + 1];
        sh[0] = n;
        System.arraycopy(shape, 0, sh, 1, shape.length);
        return Tensor.fromArray(out, sh);
    }

    /** The fitted mean (a copy). */
    double[] mean() {
        return mean.clone();
    }

    /** Entry (i, j) of the fitted covariance L·Lᵀ. */
    double covariance(int i, int j) {
        int d = mean.length;
        double s = 0;
        for (int k = 0; k <= Math.min(i, j); k++) s += chol[i * d + k] * chol[j * d + k];
        return s;
    }
}
