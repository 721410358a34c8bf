package dev.tersor.search;

import dev.tersor.nn.BatchNorm1d;
import dev.tersor.nn.BatchNorm2d;
import dev.tersor.nn.Module;
import dev.tersor.nn.data.Batch;
import dev.tersor.tensor.Tensor;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Batch-norm recalibration of a sub-network before it is scored (SPOS's "BN sanitize"): the
 * shared running statistics of a supernet fit the mixture of paths it trained, not one path.
 * {@link #run} forwards {@code n} training batches (no gradients, training mode) and sets the
 * running statistics of every batch norm they reached to the exact mean of the per-batch ones,
 * what a reset followed by n steps of momentum 1/k (k = 1..n) would give, but summed in double:
 * <pre>
 * running_mean[c] = (1/n) Σ_b mean_b[c]
 * running_var[c]  = (1/n) Σ_b var_b[c]        var_b unbiased: Σ (x − mean_b)² / (m − 1), m values per channel
 * num_batches_tracked = n
 * </pre>
 * Batch norms the batches did not reach (unsampled candidates of a supernet) are left as they
 * were. The model's mode is restored afterwards.
 */
public final class BnRecalibration {
    private BnRecalibration() {
    }

    /** Recalibrates with the first {@code n} batches of {@code data}; returns the number of batch norms set. */
    public static int run(Module model, Iterable<Batch> data, int n) {
        if (n < 1) throw new IllegalArgumentException("BnRecalibration: the number of batches must be >= 1, got " + n);
        Map<String, Stats> stats = new LinkedHashMap<>();
        List<Module.HookHandle> hooks = new ArrayList<>();
        for (var e : model.namedModules().entrySet()) {
            Module m = e.getValue();
            if (m instanceof BatchNorm2d bn && bn.tracksRunningStats()) hooks.add(hook(m, bn.channels(), e.getKey(), stats));
            else if (m instanceof BatchNorm1d bn && bn.tracksRunningStats()) hooks.add(hook(m, bn.channels(), e.getKey(), stats));
        }
        boolean wasTraining = model.isTraining();
        int used = 0;
        try (var g = Tensor.noGrad()) {
            model.train();
            Iterator<Batch> it = data.iterator();
            for (; used < n && it.hasNext(); used++) model.call(it.next().inputs());
        } finally {
            hooks.forEach(Module.HookHandle::close);
            if (!wasTraining) model.eval();
        }
        if (used < n) throw new IllegalArgumentException("BnRecalibration: asked for " + n + " batches, the data has only " + used);
        Map<String, Tensor> buffers = model.namedBuffers();
        try (var g = Tensor.noGrad()) {
            for (var e : stats.entrySet()) {
                String prefix = e.getKey().isEmpty() ? "" : e.getKey() + ".";
                Stats s = e.getValue();
                buffers.get(prefix + "running_mean").copyInPlace(Tensor.fromArray(s.average(s.mean), s.mean.length));
                buffers.get(prefix + "running_var").copyInPlace(Tensor.fromArray(s.average(s.var), s.var.length));
                buffers.get(prefix + "num_batches_tracked").fillInPlace(s.batches);
            }
        }
        return stats.size();
    }

    private static Module.HookHandle hook(Module bn, int channels, String path, Map<String, Stats> stats) {
        return bn.registerForwardPreHook((m, x) -> {
            stats.computeIfAbsent(path, k -> new Stats(channels)).add(x);
            return null;
        });
    }

    /** Per-channel sums of batch means and unbiased batch variances. */
    private static final class Stats {
        final double[] mean, var;
        int batches;

        Stats(int channels) {
            mean = new double[channels];
            var = new double[channels];
        }

        /** Adds the statistics of x [N, C, ...] (the values of channel c: every index with axis 1 = c). */
        void add(Tensor x) {
            int channels = mean.length, n = x.size(0), inner = x.numel() / (n * channels);
            long m = (long) n * inner;
            if (m < 2) throw new IllegalArgumentException("BnRecalibration: a batch gives " + m + " value per channel; need at least 2");
            float[] d = x.toArray();
            for (int c = 0; c < channels; c++) {
                double sum = 0;
                for (int i = 0; i < n; i++) for (int k = 0, o = (i * channels + c) * inner; k < inner; k++) sum += d[o + k];
                double mu = sum / m, sq = 0;
                for (int i = 0; i < n; i++) {
                    for (int k = 0, o = (i * channels + c) * inner; k < inner; k++) {
                        double t = d[o + k] - mu;
                        sq += t * t;
                    }
                }
                mean[c] += mu;
                var[c] += sq / (m - 1);
            }
            batches++;
        }

        float[] average(double[] sums) {
            float[] out = new float[sums.length];
            for (int c = 0; c < sums.length; c++) out[c] = (float) (sums[c] / batches);
            return out;
        }
    }
}
