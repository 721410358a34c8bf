package dev.tersor.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * What the anchors run on, from {@code bench/anchors/probe.py}: numpy (and the OpenBLAS core it
 * runs: {@code openblas_core}), PyTorch (version, default threads), and the
 * {@code OPENBLAS_CORETYPE} the suite set, if any, with the reason.
 *
 * @param error          null, or why no anchor can run at all (no python, no anchors directory, the probe failed)
 * @param probe          the probe's report (empty when {@code error} is set)
 * @param coreType       the OPENBLAS_CORETYPE the anchors run with, or null for OpenBLAS's own detection
 * @param coreTypeReason why (null when {@code coreType} is null)
 */
record AnchorFacts(String error, Map<String, Object> probe, String coreType, String coreTypeReason) {

    AnchorFacts {
        probe = probe == null ? Map.of() : new LinkedHashMap<>(probe);
    }

    static AnchorFacts none(String why) {
        return new AnchorFacts(why, null, null, null);
    }

    /** Null when {@code library} ({@code numpy}, {@code torch}) can run, else what the anchor cell says. */
    String unavailable(String library) {
        if (error != null) return "not installed (" + error + ")";
        Object lib = probe.get(library);
        if (lib instanceof Map<?, ?> m && Boolean.TRUE.equals(m.get("installed"))) return null;
        return library + " not installed";
    }

    /** The core OpenBLAS reports for numpy ({@code openblas_get_corename}), or null. */
    String openblasCore() {
        return probe.get("numpy") instanceof Map<?, ?> m && m.get("openblas_core") instanceof String s ? s : null;
    }

    /**
     * The OPENBLAS_CORETYPE to set when OpenBLAS picked SSE3 kernels ("Prescott", as 0.3.21 does
     * on some virtualised Xeons) on a CPU that has better ones: SkylakeX with {@code avx512f} in
     * the CPU flags, Haswell with {@code avx2}; null to keep OpenBLAS's choice.
     */
    static String coreTypeFor(String core, Set<String> cpuFlags) {
        if (core == null || !core.equalsIgnoreCase("Prescott")) return null;
        if (cpuFlags.contains("avx512f") && cpuFlags.contains("avx512bw")) return "SkylakeX";
        if (cpuFlags.contains("avx2") && cpuFlags.contains("fma")) return "Haswell";
        return null;
    }

    Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("error", error);
        m.put("openblas_core", openblasCore());
        m.put("openblas_coretype", coreType);
        m.put("openblas_coretype_reason", coreTypeReason);
        m.putAll(probe);
        return m;
    }
}
