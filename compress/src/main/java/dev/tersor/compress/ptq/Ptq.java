package dev.tersor.compress.ptq;

import dev.tersor.nn.Module;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Simulated quantization of a calibrated model, to measure accuracy before integer conversion:
 * <pre>{@code
 * PtqResult r = Calibration.run(model, calibration, PtqConfig.defaults());
 * double fp32 = Evaluation.of(model, test).accuracy();
 * Ptq.simulate(model, r);                    // Conv2d/Linear → SimulatedLayer, in place
 * double int8 = Evaluation.of(model, test).accuracy();
 * Ptq.restore(model);                        // the float layers back
 * }</pre>
 */
public final class Ptq {
    private Ptq() {
    }

    /**
     * Replaces each calibrated layer of {@code model} by a {@link SimulatedLayer} computing
     * {@code conv(fq(x), fq(W)) + b}, sets eval mode and returns {@code model} (changed in place).
     */
    public static Module simulate(Module model, PtqResult result) {
        Map<String, Module> current = new LinkedHashMap<>();
        for (String path : result.layers().keySet()) {
            if (path.isEmpty()) throw new IllegalArgumentException("simulate: the calibrated layer is the model itself; wrap it in a Sequential");
            Module m;
            try {
                m = model.get(path);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("simulate: the model has no layer at calibrated path '" + path + "'", e);
            }
            if (m instanceof SimulatedLayer) throw new IllegalArgumentException("simulate: '" + path + "' is already simulated");
            current.put(path, m);
        }
        for (var e : current.entrySet()) model.replace(e.getKey(), new SimulatedLayer(e.getValue(), result.layer(e.getKey())));
        model.eval();
        return model;
    }

    /** Puts the float layer back wherever {@link #simulate} put a {@link SimulatedLayer}; returns {@code model}. */
    public static Module restore(Module model) {
        Map<String, Module> found = new LinkedHashMap<>();
        for (var e : model.namedModules().entrySet()) {
            if (e.getValue() instanceof SimulatedLayer s) found.put(e.getKey(), s.original());
        }
        for (var e : found.entrySet()) model.replace(e.getKey(), e.getValue());
        return model;
    }
}
