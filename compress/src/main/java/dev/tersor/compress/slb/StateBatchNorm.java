package dev.tersor.compress.slb;

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
 * SLB's state batch normalization: running statistics for the discrete weights. Every SLB layer
 * is made discrete, the model runs in training mode (each batch normalised by its own
 * statistics, as in training) over the given batches without gradients, and each batch-norm
 * layer's running mean and (unbiased) variance become the plain average of its per-batch
 * statistics: {@code running = (1/n)·Σ_k stat_k}, a momentum of 1/k at step k. The running
 * values before are discarded. Afterwards the SLB layers' discrete flags and the model's mode
 * (train or eval, for the whole tree) are restored.
 */
final class StateBatchNorm {
    private StateBatchNorm() {
    }

    /** Statistics of one batch-norm layer summed over batches. */
    private static final class Sums {
        double[] mean, var;
        int batches;

        void add(Tensor x) {
            int[] axes = new int[x.dim() - 1];
            axes[0] = 0;
            for (int d = 2; d < x.dim(); d++) axes[d - 1] = d;
            float[] m = x.mean(axes, false).toArray();
            float[] v = x.var(axes, true, false).toArray();
            if (mean == null) {
                mean = new double[m.length];
                var = new double[v.length];
            }
            for (int c = 0; c < m.length; c++) {
                mean[c] += m[c];
                var[c] += v[c];
            }
            batches++;
        }
    }

    static int run(Module model, Iterable<Batch> batches, int maxBatches) {
        if (maxBatches < 1) throw new IllegalArgumentException("recalibrateBatchNorm: maxBatches must be >= 1, got " + maxBatches);
        Map<Module, Sums> sums = new LinkedHashMap<>();
        List<Module.HookHandle> hooks = new ArrayList<>();
        for (Module m : model.namedModules().values()) {
            if (m instanceof BatchNorm1d || m instanceof BatchNorm2d) {
                Sums s = new Sums();
                sums.put(m, s);
                hooks.add(m.registerForwardPreHook((mod, x) -> {
                    s.add(x);
                    return null;
                }));
            }
        }
        Map<SlbLayer, Boolean> wasDiscrete = new LinkedHashMap<>();
        for (Module m : model.namedModules().values()) if (m instanceof SlbLayer l) wasDiscrete.put(l, l.isDiscrete());
        boolean wasTraining = model.isTraining();
        int n = 0;
        try (var g = Tensor.noGrad()) {
            wasDiscrete.keySet().forEach(l -> l.setDiscrete(true));
            model.train();
            for (Batch b : batches) {
                if (n == maxBatches) break;
                model.call(b.inputs());
                n++;
            }
            if (n == 0) throw new IllegalArgumentException("recalibrateBatchNorm: no batches given");
            for (var e : sums.entrySet()) {
                Sums s = e.getValue();
                if (s.batches == 0) continue;   // a batch-norm layer the forward never reached
                float[] mean = new float[s.mean.length], var = new float[s.var.length];
                for (int c = 0; c < mean.length; c++) {
                    mean[c] = (float) (s.mean[c] / s.batches);
                    var[c] = (float) (s.var[c] / s.batches);
                }
                Module bn = e.getKey();
                Tensor rm = bn instanceof BatchNorm2d b2 ? b2.runningMean() : ((BatchNorm1d) bn).runningMean();
                Tensor rv = bn instanceof BatchNorm2d b2 ? b2.runningVar() : ((BatchNorm1d) bn).runningVar();
                if (rm == null) continue;       // not tracking running statistics
                rm.copyInPlace(Tensor.fromArray(mean, mean.length));
                rv.copyInPlace(Tensor.fromArray(var, var.length));
            }
        } finally {
            hooks.forEach(Module.HookHandle::close);
            wasDiscrete.forEach(SlbLayer::setDiscrete);
            if (wasTraining) model.train();
            else model.eval();
        }
        return n;
    }
}
