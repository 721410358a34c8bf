package dev.tersor.compress.ptq;

import dev.tersor.compress.quant.Observer;
import dev.tersor.compress.quant.QParams;
import dev.tersor.nn.Conv2d;
import dev.tersor.nn.Linear;
import dev.tersor.nn.Module;
import dev.tersor.nn.Parameter;
import dev.tersor.tensor.Conv2dOptions;
import dev.tersor.tensor.Functional;
import dev.tersor.tensor.Tensor;

/** One layer's state during calibration: its input observer (none for weight-only quantization), weight parameters and bias-correction sums. */
final class LayerStats {
    final String path;
    final Module module;
    final Observer observer;                  // null for weight-only quantization
    private boolean seen;
    private final Tensor weight, bias;        // snapshots of the float layer
    private final Conv2dOptions options;      // null for Linear
    private final QParams weightQParams;
    private final Tensor weightError;         // W − Ŵ (bias correction only)
    private final double[] errorSum;
    private long positions;

    LayerStats(String path, Module module, PtqConfig config) {
        this.path = path;
        this.module = module;
        this.observer = config.weightOnly() ? null : config.observer().create(config.activationBits());
        Parameter w, b;
        if (module instanceof Conv2d c) {
            w = c.weight();
            b = c.bias();
            options = c.options();
        } else {
            Linear l = (Linear) module;
            w = l.weight();
            b = l.bias();
            options = null;
        }
        weight = w.value().detach().copy();
        bias = b == null ? null : b.value().detach().copy();
        weightQParams = weightQParams(weight, config);
        int k = weight.size(0);
        if (config.biasCorrection()) {
            float[] d = weight.toArray(), q = FakeQuant.apply(weight, weightQParams).toArray();
            for (int i = 0; i < d.length; i++) d[i] -= q[i];
            weightError = Tensor.fromArray(d, weight.shape());
            errorSum = new double[k];
        } else {
            weightError = null;
            errorSum = null;
        }
    }

    /** Per output channel k: {@code scheme.qparams(min W[k], max W[k])}. */
    private static QParams weightQParams(Tensor w, PtqConfig config) {
        int k = w.size(0);
        float[] v = w.contiguous().toArray();
        int per = v.length / k;
        float[] lo = new float[k], hi = new float[k];
        for (int c = 0; c < k; c++) {
            float mn = Float.POSITIVE_INFINITY, mx = Float.NEGATIVE_INFINITY;
            for (int i = c * per; i < (c + 1) * per; i++) {
                mn = Math.min(mn, v[i]);
                mx = Math.max(mx, v[i]);
            }
            lo[c] = mn;
            hi[c] = mx;
        }
        return config.weightScheme().qparams(lo, hi);
    }

    void observe(Tensor input, int batch) {
        seen = true;
        if (observer == null) return;
        try {
            observer.observe(input);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("calibration: input of layer '" + path + "' in batch " + batch + " (from 1): "
                    + e.getMessage(), e);
        }
    }

    /** Adds the per-channel sums of {@code layer(x; W − Ŵ, no bias)}. */
    void accumulateError(Tensor input) {
        Tensor d = compute(input, weightError, null).contiguous();
        float[] v = d.toArray();
        int k = errorSum.length;
        if (options != null) {
            int plane = d.size(2) * d.size(3);
            for (int i = 0; i < v.length; i++) errorSum[(i / plane) % k] += v[i];
            positions += (long) d.size(0) * plane;
        } else {
            for (int i = 0; i < v.length; i++) errorSum[i % k] += v[i];
            positions += v.length / k;
        }
    }

    Tensor compute(Tensor x, Tensor w, Tensor b) {
        return options != null ? Functional.conv2d(x, w, b, options) : Functional.linear(x, w, b);
    }

    PtqLayer result(PtqConfig config) {
        if (!seen || (observer != null && !observer.hasData())) {
            throw new IllegalArgumentException("calibration: layer '" + path + "' saw no input (it is not on the model's forward path)");
        }
        Tensor b = bias;
        if (config.biasCorrection()) {
            int k = errorSum.length;
            float[] nb = bias == null ? new float[k] : bias.toArray();
            for (int c = 0; c < k; c++) nb[c] = (float) (nb[c] + errorSum[c] / positions);
            b = Tensor.fromArray(nb, k);
        }
        return new PtqLayer(path, weight, b, options, weightQParams, observer == null ? null : observer.qparams(config.activationScheme()));
    }
}
