package dev.tersor.compress.ptq;

import dev.tersor.compress.quant.QParams;

/** Brute-force references for the tests: loops in double over plain arrays. */
final class Naive {
    private Naive() {
    }

    /** fq per tensor (channels 1) or per slice of dimension 0. */
    static float[] fakeQuant(float[] v, QParams qp) {
        float[] out = new float[v.length];
        int per = v.length / qp.channels();
        for (int i = 0; i < v.length; i++) {
            int c = i / per;
            out[i] = qp.dequantize(qp.quantize(v[i], c), c);
        }
        return out;
    }

    /** Stride 1, zero padding {@code pad}: x [n, c, h, w], w [k, c, kh, kw], b [k] or null → [n, k, h', w']. */
    static double[] conv(float[] x, int n, int c, int h, int w, float[] wt, int k, int kh, int kw, float[] b, int pad) {
        int oh = h + 2 * pad - kh + 1, ow = w + 2 * pad - kw + 1;
        double[] y = new double[n * k * oh * ow];
        for (int s = 0; s < n; s++) {
            for (int o = 0; o < k; o++) {
                for (int i = 0; i < oh; i++) {
                    for (int j = 0; j < ow; j++) {
                        double acc = b == null ? 0 : b[o];
                        for (int ci = 0; ci < c; ci++) {
                            for (int u = 0; u < kh; u++) {
                                for (int v = 0; v < kw; v++) {
                                    int yy = i + u - pad, xx = j + v - pad;
                                    if (yy < 0 || yy >= h || xx < 0 || xx >= w) continue;
                                    acc += (double) x[((s * c + ci) * h + yy) * w + xx] * wt[((o * c + ci) * kh + u) * kw + v];
                                }
                            }
                        }
                        y[((s * k + o) * oh + i) * ow + j] = acc;
                    }
                }
            }
        }
        return y;
    }

    /** x [n, in] · w [out, in]ᵀ + b. */
    static double[] linear(float[] x, int n, int in, float[] w, int out, float[] b) {
        double[] y = new double[n * out];
        for (int s = 0; s < n; s++) {
            for (int o = 0; o < out; o++) {
                double acc = b == null ? 0 : b[o];
                for (int i = 0; i < in; i++) acc += (double) x[s * in + i] * w[o * in + i];
                y[s * out + o] = acc;
            }
        }
        return y;
    }
}
