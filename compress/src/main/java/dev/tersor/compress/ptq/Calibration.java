package dev.tersor.compress.ptq;

import dev.tersor.compress.quant.Observer;
import dev.tersor.compress.quant.QParams;
import dev.tersor.nn.Conv2d;
import dev.tersor.nn.Linear;
import dev.tersor.nn.Module;
import dev.tersor.nn.data.Batch;
import dev.tersor.nn.data.DataLoader;
import dev.tersor.tensor.Tensor;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Post-training calibration: runs a float model in eval mode (no gradients) over calibration
 * batches, with an activation observer on the input of every quantized layer (a forward
 * pre-hook), then derives each layer's parameters:
 * <ul>
 *   <li>weights: per output channel k, {@code weightScheme().qparams(min W[k], max W[k])}
 *       (symmetric: {@code s[k] = max|W[k]| / ((qmax − qmin)/2)}, zero point 0);</li>
 *   <li>inputs: {@code observer.qparams(activationScheme())}, one scale and zero point (none for
 *       weight-only quantization, {@link PtqConfig#WEIGHT_ONLY}: the inputs stay float).</li>
 * </ul>
 *
 * <p><b>Bias correction</b> (optional; Nagel et al. 2019, "Data-Free Quantization", §4.2, the
 * empirical variant; Finkelstein et al. 2019): quantizing weights shifts a layer's mean output by
 * {@code (W − Ŵ)·E[x]}. During the same pass, each layer's float input x is also run through the
 * layer with weight {@code W − Ŵ} and no bias (equal to float output minus output with quantized
 * weights, by linearity); the per-channel mean over every batch and position (N, H, W for a
 * convolution, all but the last axis for a linear layer) is added to the bias:
 * {@code b'[k] = b[k] + mean(y[k] − ŷ[k])}. A layer without bias gets one.
 *
 * <pre>{@code
 * PtqResult r = Calibration.run(model, calibrationLoader, PtqConfig.defaults().withObserver(ObserverKind.HISTOGRAM));
 * Ptq.simulate(model, r);   // fake-quantized eval forward, to measure accuracy
 * }</pre>
 */
public final class Calibration {
    private Calibration() {
    }

    /** Calibrates on the inputs of a loader's batches (labels unused). */
    public static PtqResult run(Module model, DataLoader loader, PtqConfig config) {
        return run(model, () -> new Iterator<Tensor>() {
            private final Iterator<Batch> it = loader.iterator();

            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public Tensor next() {
                return it.next().inputs();
            }
        }, config);
    }

    /** Calibrates on {@code inputs}, each a batch the model accepts; at least one. */
    public static PtqResult run(Module model, Iterable<Tensor> inputs, PtqConfig config) {
        Map<String, Module> targets = targets(model, config.layers());
        List<LayerStats> stats = new ArrayList<>();
        for (var e : targets.entrySet()) stats.add(new LayerStats(e.getKey(), e.getValue(), config));
        int[] batch = {0};
        long samples = 0;
        PrintStream log = config.progress();
        boolean wasTraining = model.isTraining();
        List<Module.HookHandle> hooks = new ArrayList<>();
        try {
            model.eval();
            for (LayerStats s : stats) {
                hooks.add(s.module.registerForwardPreHook((m, in) -> {
                    s.observe(in, batch[0]);
                    return null;
                }));
                if (config.biasCorrection()) {
                    hooks.add(s.module.registerForwardHook((m, in, out) -> {
                        s.accumulateError(in);
                        return null;
                    }));
                }
            }
            try (var g = Tensor.noGrad()) {
                for (Tensor x : inputs) {
                    batch[0]++;
                    model.call(x);
                    samples += x.dim() == 0 ? 1 : x.size(0);
                    if (log != null && batch[0] % 10 == 0) log.printf("calibration: batch %d, %d samples%n", batch[0], samples);
                }
            }
            if (log != null && batch[0] % 10 != 0) log.printf("calibration: batch %d, %d samples%n", batch[0], samples);
        } finally {
            for (Module.HookHandle h : hooks) h.close();
            if (wasTraining) model.train();
        }
        if (batch[0] == 0) throw new IllegalArgumentException("calibration data: no batches (give at least one input batch)");
        Map<String, PtqLayer> layers = new LinkedHashMap<>();
        for (LayerStats s : stats) {
            PtqLayer l = s.result(config);
            layers.put(s.path, l);
            if (log != null) {
                QParams in = l.inputQParams();
                String input = "input float";
                if (in != null) {
                    float[] r = s.observer.range();
                    input = String.format(Locale.ROOT, "input range [%.5g, %.5g] scale %.5g zero point %d", r[0], r[1], in.scale(0), in.zeroPoint(0));
                }
                log.printf("  %s: %s; weight %d channels, %d bits%s%n", s.path, input, l.weightQParams().channels(), config.weightBits(),
                        config.biasCorrection() ? ", bias corrected" : "");
            }
        }
        return new PtqResult(layers, batch[0], samples);
    }

    /** The Conv2d/Linear layers named by {@code paths}, or every one of them when empty, by path. */
    static Map<String, Module> targets(Module model, List<String> paths) {
        Map<String, Module> out = new LinkedHashMap<>();
        if (paths.isEmpty()) {
            for (var e : model.namedModules().entrySet()) if (quantizable(e.getValue())) out.put(e.getKey(), e.getValue());
            if (out.isEmpty()) throw new IllegalArgumentException("calibration: the model has no Conv2d or Linear layer");
            return out;
        }
        for (String p : paths) {
            Module m;
            try {
                m = model.get(p);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("PtqConfig.layers: no layer at '" + p + "' (" + e.getMessage() + ")", e);
            }
            if (!quantizable(m)) {
                throw new IllegalArgumentException("PtqConfig.layers: '" + p + "' is a " + m.getClass().getSimpleName() + ", not a Conv2d or Linear");
            }
            out.put(p, m);
        }
        return out;
    }

    private static boolean quantizable(Module m) {
        return m.getClass() == Conv2d.class || m.getClass() == Linear.class;
    }
}
