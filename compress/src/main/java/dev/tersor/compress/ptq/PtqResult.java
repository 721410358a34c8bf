package dev.tersor.compress.ptq;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What calibration found: one {@link PtqLayer} per quantized layer path (in the model's module
 * order), and how much data it saw.
 *
 * @param layers  by dotted path
 * @param batches calibration batches run
 * @param samples inputs in those batches (their dimension 0)
 */
public record PtqResult(Map<String, PtqLayer> layers, int batches, long samples) {

    public PtqResult {
        if (layers == null || layers.isEmpty()) throw new IllegalArgumentException("PtqResult: no layers");
        layers = Collections.unmodifiableMap(new LinkedHashMap<>(layers));
    }

    /** The layer at {@code path}; an unknown path lists the calibrated ones. */
    public PtqLayer layer(String path) {
        PtqLayer l = layers.get(path);
        if (l == null) throw new IllegalArgumentException("no calibrated layer '" + path + "'; calibrated: " + layers.keySet());
        return l;
    }
}
