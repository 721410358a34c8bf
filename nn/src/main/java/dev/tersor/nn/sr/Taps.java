package dev.tersor.nn.sr;

/**
 * The source pixels and weights of a run of output pixels along one dimension, computed as
 * MATLAB's {@code imresize} does ({@code contributions} in {@code imresize.m}) for the bicubic
 * kernel (Keys, a = -0.5), 1-based there, 0-based here. For output pixel {@code x} (1-based) and
 * a resize by {@code scale = out/in}:
 * <pre>
 *   antialiased downscale (scale &lt; 1):  h(t) = scale·cubic(scale·t),  width = 4 / scale
 *   otherwise:                          h(t) = cubic(t),              width = 4
 *   u    = x / scale + 0.5·(1 - 1/scale)          (the output centre in input coordinates)
 *   left = floor(u - width/2),  P = ceil(width) + 2
 *   j_k  = left + k,  w_k = h(u - j_k) / Σ_k h(u - j_k)      k = 0 .. P-1
 * </pre>
 * and an index outside {@code 1..n} is reflected, pixel {@code j} being
 * {@code [1..n, n..1]} at {@code mod(j - 1, 2n)} (the edge pixel repeated: symmetric padding).
 */
final class Taps {
    /** Taps per output pixel, P. */
    final int taps;
    /** Output pixels described, starting at output index {@link #first} (0-based). */
    final int count;
    final int first;
    /** {@code [count, taps]}: 0-based source index of tap k of output pixel {@code first + j}. */
    final int[] index;
    /** {@code [count, taps]}: its weight; each row sums to 1. */
    final double[] weight;

    private Taps(int taps, int first, int count, int[] index, double[] weight) {
        this.taps = taps;
        this.first = first;
        this.count = count;
        this.index = index;
        this.weight = weight;
    }

    /**
     * The taps of output pixels {@code first .. first+count-1} (0-based) of a resize of
     * {@code inLength} pixels by {@code scale = out/in}, antialiased when {@code scale < 1}.
     */
    static Taps of(int inLength, double scale, int first, int count) {
        boolean antialias = scale < 1;
        double width = antialias ? 4 / scale : 4;
        int taps = (int) Math.ceil(width) + 2;
        int[] index = new int[count * taps];
        double[] weight = new double[count * taps];
        for (int j = 0; j < count; j++) {
            double x = first + j + 1;                                   // 1-based output pixel
            double u = x / scale + 0.5 * (1 - 1 / scale);
            double left = Math.floor(u - width / 2);
            double sum = 0;
            for (int k = 0; k < taps; k++) {
                double t = u - (left + k);
                double w = antialias ? scale * cubic(scale * t) : cubic(t);
                weight[j * taps + k] = w;
                sum += w;
                index[j * taps + k] = reflect((long) left + k - 1, inLength);
            }
            for (int k = 0; k < taps; k++) weight[j * taps + k] /= sum;
        }
        return new Taps(taps, first, count, index, weight);
    }

    /**
     * Keys' cubic convolution kernel with a = -0.5:
     * {@code 1.5|t|³ - 2.5|t|² + 1} for {@code |t| <= 1}, {@code -0.5|t|³ + 2.5|t|² - 4|t| + 2} for
     * {@code 1 < |t| <= 2}, else 0.
     */
    static double cubic(double t) {
        double a = Math.abs(t);
        double a2 = a * a;
        double a3 = a2 * a;
        if (a <= 1) return 1.5 * a3 - 2.5 * a2 + 1;
        if (a <= 2) return -0.5 * a3 + 2.5 * a2 - 4 * a + 2;
        return 0;
    }

    /** The 0-based index in {@code 0..n-1} of 0-based position {@code i} of {@code [0..n-1, n-1..0]} repeated. */
    static int reflect(long i, int n) {
        long m = Math.floorMod(i, 2L * n);
        return (int) (m < n ? m : 2L * n - 1 - m);
    }

    /** The smallest source index any tap reads. */
    int minIndex() {
        int m = Integer.MAX_VALUE;
        for (int i : index) m = Math.min(m, i);
        return m;
    }

    /** The largest source index any tap reads. */
    int maxIndex() {
        int m = -1;
        for (int i : index) m = Math.max(m, i);
        return m;
    }
}
