package dev.tersor.compress.cluster;

import dev.tersor.nn.Conv2d;
import dev.tersor.nn.Linear;
import dev.tersor.nn.Module;
import dev.tersor.nn.Parameter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Which layers of a model to cluster: plain {@link Conv2d} and {@link Linear} layers by dotted path. */
final class LayerPaths {
    private LayerPaths() {
    }

    /** Checks 1..8 and returns k = 2^bits. */
    static int clustersFor(int bits) {
        if (bits < 1 || bits > 8) throw new IllegalArgumentException("bits must be in 1..8, got " + bits);
        return 1 << bits;
    }

    /**
     * The layers at {@code paths} in the order given, or every Conv2d and Linear layer of the tree
     * (depth first) when {@code paths} is null or empty. Subclasses of Conv2d and Linear are not
     * taken: their forward may differ.
     */
    static Map<String, Module> select(Module model, List<String> paths) {
        Map<String, Module> all = model.namedModules(), out = new LinkedHashMap<>();
        List<String> eligible = new ArrayList<>();
        for (var e : all.entrySet()) if (!e.getKey().isEmpty() && clusterable(e.getValue())) eligible.add(e.getKey());
        if (paths == null || paths.isEmpty()) {
            if (eligible.isEmpty()) throw new IllegalArgumentException("no Conv2d or Linear layer to cluster in " + model.getClass().getSimpleName());
            for (String p : eligible) out.put(p, all.get(p));
            return out;
        }
        for (String p : paths) {
            Module m = p == null ? null : all.get(p);
            if (m == null || p.isEmpty()) {
                throw new IllegalArgumentException("unknown layer path '" + p + "'; Conv2d and Linear layers are " + eligible);
            }
            if (!clusterable(m)) {
                throw new IllegalArgumentException("layer '" + p + "' is a " + m.getClass().getSimpleName() + ", not a Conv2d or Linear layer; those are "
                        + eligible);
            }
            out.put(p, m);
        }
        return out;
    }

    /** The weight of a selected layer. */
    static Parameter weight(Module layer) {
        return layer instanceof Conv2d c ? c.weight() : ((Linear) layer).weight();
    }

    private static boolean clusterable(Module m) {
        return m.getClass() == Conv2d.class || m.getClass() == Linear.class;
    }
}
