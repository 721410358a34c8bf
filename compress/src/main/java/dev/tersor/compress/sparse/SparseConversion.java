package dev.tersor.compress.sparse;

import dev.tersor.nn.Conv2d;
import dev.tersor.nn.Module;
import dev.tersor.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns the {@link MaskedLayer}s of a pruned model into inference layers, in place: each stores
 * only its nonzeros ({@link SparseConv2d}/{@link SparseLinear}, CSR or bitmask, whichever is
 * smaller), or goes back to a plain float layer when neither format is smaller than float32.
 * For each sparse-stored layer both forms are timed on the layer's real input (captured from one
 * forward of {@code sample}) by {@code check}; a layer whose sparse kernel is slower computes
 * densely (the weight decoded once at load) and the report says so.
 * <pre>{@code
 * Tensor sample = firstTrainingImage;                           // [1, 1, 28, 28]: decides at batch 1
 * SparsityReport r = SparseConversion.convert(model, sample, SpeedCheck.measured());
 * CompressedModel.save(model, "lenet5", "sparsify ...", out);   // tersor eval/predict/info load it
 * }</pre>
 */
public final class SparseConversion {
    private SparseConversion() {
    }

    /**
     * Converts every masked layer of {@code model} in place (leaving it in eval mode) and reports each.
     *
     * @param sample a model input whose batch size is the one the layers are timed at
     * @throws IllegalArgumentException if the model has no masked layer
     */
    public static SparsityReport convert(Module model, Tensor sample, SpeedCheck check) {
        Map<String, MaskedLayer> masked = new LinkedHashMap<>();
        for (var e : model.namedModules().entrySet()) {
            if (!e.getKey().isEmpty() && e.getValue() instanceof MaskedLayer m) masked.put(e.getKey(), m);
        }
        if (masked.isEmpty()) throw new IllegalArgumentException("the model has no masked (pruned) layer to convert");
        masked.values().forEach(MaskedLayer::applyMask);
        model.eval();
        Map<String, Tensor> inputs = inputs(model, masked, sample);
        List<SparsityReport.Row> rows = new ArrayList<>();
        Map<String, Module> replacements = new LinkedHashMap<>();
        for (var e : masked.entrySet()) {
            String path = e.getKey();
            Module dense = e.getValue().toDense();
            float[] w = e.getValue().weight().value().mul(e.getValue().mask()).contiguous().toArray();
            int[] shape = e.getValue().weight().shape();
            float[] bias = e.getValue().bias() == null ? null : e.getValue().bias().value().contiguous().toArray();
            SparseWeights sw = SparseWeights.of(w, shape, bias);
            long floatBytes = 4L * (w.length + (bias == null ? 0 : bias.length)), biasBytes = bias == null ? 0 : 4L * bias.length;
            if (sw.weightBytes() >= 4L * w.length) {
                replacements.put(path, dense.eval());
                rows.add(new SparsityReport.Row(path, w.length, sw.csr.nonzeros(), SparseFormat.DENSE, floatBytes, floatBytes, null, false));
                continue;
            }
            SparseLayer sparse = dense instanceof Conv2d c ? new SparseConv2d(sw, c.options(), true) : new SparseLinear(sw, true);
            SpeedCheck.Timing t = check.time(path, sparse, dense.eval(), inputs.get(path));
            boolean useSparse = t.sparseWins();
            Module chosen = useSparse ? sparse : sparse instanceof SparseConv2d sc ? sc.computing(false) : ((SparseLinear) sparse).computing(false);
            replacements.put(path, chosen.eval());
            rows.add(new SparsityReport.Row(path, w.length, sw.csr.nonzeros(), sw.format, sw.weightBytes() + biasBytes, floatBytes, t, useSparse));
        }
        replacements.forEach(model::replace);
        model.eval();
        return new SparsityReport(sample.size(0), rows);
    }

    /** Each masked layer's input on one eval-mode forward of {@code sample}. */
    private static Map<String, Tensor> inputs(Module model, Map<String, MaskedLayer> masked, Tensor sample) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        List<Module.HookHandle> handles = new ArrayList<>();
        try (var g = Tensor.noGrad()) {
            for (var e : masked.entrySet()) {
                handles.add(((Module) e.getValue()).registerForwardPreHook((m, x) -> {
                    out.putIfAbsent(e.getKey(), x.detach().contiguous());
                    return null;
                }));
            }
            model.call(sample);
        } finally {
            handles.forEach(Module.HookHandle::close);
        }
        for (String p : masked.keySet()) {
            if (!out.containsKey(p)) throw new IllegalArgumentException("layer '" + p + "' is not used by the model's forward");
        }
        return out;
    }
}
