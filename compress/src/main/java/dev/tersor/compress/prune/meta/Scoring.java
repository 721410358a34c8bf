package dev.tersor.compress.prune.meta;

import dev.tersor.nn.BatchNorm1d;
import dev.tersor.nn.BatchNorm2d;
import dev.tersor.nn.Module;
import dev.tersor.nn.data.Batch;
import dev.tersor.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Scoring a candidate network: batch-norm recalibration and accuracy on held-out batches.
 *
 * <p>Recalibration (MetaPruning {@code search.py}, {@code infer}): the running statistics are
 * thrown away and recomputed from training batches run in training mode without gradients, so
 * each candidate's batch norms match its own channels. The official code resets them to (0, 1)
 * and runs 100 batches with momentum 0.1; here each batch norm's running mean and unbiased
 * variance become the plain average of the per-batch statistics (a cumulative average, which is
 * what momentum 0.1 approaches after many batches and is exact after few). Only the batch norms
 * run in training mode, so dropout stays off.
 */
final class Scoring {
    private Scoring() {
    }

    /** Copies of every buffer of {@code model} (running statistics), by dotted name. */
    static Map<String, Tensor> buffers(Module model) {
        Map<String, Tensor> saved = new LinkedHashMap<>();
        for (var e : model.namedBuffers().entrySet()) if (e.getValue() != null) saved.put(e.getKey(), e.getValue().copy());
        return saved;
    }

    /** Puts buffers saved by {@link #buffers} back. */
    static void restore(Module model, Map<String, Tensor> saved) {
        try (var g = Tensor.noGrad()) {
            for (var e : model.namedBuffers().entrySet()) {
                Tensor s = saved.get(e.getKey());
                if (s != null && e.getValue() != null) e.getValue().copyInPlace(s);
            }
        }
    }

    /**
     * Recomputes every batch norm's running statistics over the first {@code maxBatches} of
     * {@code batches}; returns the number of batches run (0 when {@code maxBatches} is 0 or the
     * model has no batch norm). The model is left in evaluation mode.
     */
    static int recalibrate(Module model, Iterable<Batch> batches, int maxBatches) {
        List<Module> norms = new ArrayList<>();
        for (Module m : model.namedModules().values()) {
            if ((m instanceof BatchNorm2d b && b.runningMean() != null) || (m instanceof BatchNorm1d b1 && b1.runningMean() != null)) norms.add(m);
        }
        model.eval();
        if (norms.isEmpty() || maxBatches == 0) return 0;
        Map<Module, double[][]> sums = new LinkedHashMap<>();
        int[] seen = new int[norms.size()];
        List<Module.HookHandle> hooks = new ArrayList<>();
        for (int i = 0; i < norms.size(); i++) {
            Module bn = norms.get(i);
            int idx = i;
            hooks.add(bn.registerForwardPreHook((m, x) -> {
                int[] axes = new int[x.dim() - 1];
                for (int d = 0, k = 0; d < x.dim(); d++) if (d != 1) axes[k++] = d;
                float[] mean = x.mean(axes, false).toArray(), var = x.var(axes, true, false).toArray();
                double[][] s = sums.computeIfAbsent(m, k -> new double[2][mean.length]);
                for (int c = 0; c < mean.length; c++) {
                    s[0][c] += mean[c];
                    s[1][c] += var[c];
                }
                seen[idx]++;
                return null;
            }));
        }
        int n = 0;
        try (var g = Tensor.noGrad()) {
            for (Module bn : norms) bn.train();
            for (Batch b : batches) {
                if (n == maxBatches) break;
                model.call(b.inputs());
                n++;
            }
            if (n == 0) throw new IllegalArgumentException("batch-norm recalibration: no training batches given");
            for (int i = 0; i < norms.size(); i++) {
                double[][] s = sums.get(norms.get(i));
                if (s == null) continue;
                Tensor mean = norms.get(i) instanceof BatchNorm2d b ? b.runningMean() : ((BatchNorm1d) norms.get(i)).runningMean();
                Tensor var = norms.get(i) instanceof BatchNorm2d b ? b.runningVar() : ((BatchNorm1d) norms.get(i)).runningVar();
                float[] m = new float[s[0].length], v = new float[s[1].length];
                for (int c = 0; c < m.length; c++) {
                    m[c] = (float) (s[0][c] / seen[i]);
                    v[c] = (float) (s[1][c] / seen[i]);
                }
                mean.copyInPlace(Tensor.fromArray(m, m.length));
                var.copyInPlace(Tensor.fromArray(v, v.length));
            }
        } finally {
            hooks.forEach(Module.HookHandle::close);
            model.eval();
        }
        return n;
    }

    /** Top-1 accuracy of {@code model} (evaluation mode) on the first {@code maxBatches} of {@code batches} (all when ≤ 0). */
    static double accuracy(Module model, Iterable<Batch> batches, int maxBatches) {
        model.eval();
        long correct = 0, total = 0;
        int n = 0;
        try (var g = Tensor.noGrad()) {
            for (Batch b : batches) {
                if (maxBatches > 0 && n == maxBatches) break;
                correct += model.call(b.inputs()).argmax(1, false).countEqual(b.labels());
                total += b.size();
                n++;
            }
        }
        if (total == 0) throw new IllegalArgumentException("no validation batches given");
        return (double) correct / total;
    }
}
