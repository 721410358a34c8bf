package dev.tersor.tensor.lowbit;

import dev.tersor.tensor.backend.Backends;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * Loads the {@link L1Kernels} once and maps the current backend's name to them. An
 * implementation that cannot load (the Vector API ones without {@code --add-modules
 * jdk.incubator.vector}) is skipped silently: {@code Backends} already says so once.
 */
final class L1Registry {
    private static volatile List<L1Kernels> loaded;

    private L1Registry() {
    }

    static L1Kernels current() {
        String backend = Backends.current().name();
        for (L1Kernels k : available()) if (k.name().equalsIgnoreCase(backend)) return k;
        return available().get(0);
    }

    static L1Kernels named(String name) {
        for (L1Kernels k : available()) if (k.name().equalsIgnoreCase(name)) return k;
        throw new IllegalArgumentException("no L1 kernels named '" + name + "'; available: "
                + available().stream().map(L1Kernels::name).toList());
    }

    static List<L1Kernels> available() {
        List<L1Kernels> list = loaded;
        if (list == null) {
            synchronized (L1Registry.class) {
                if (loaded == null) loaded = load();
                list = loaded;
            }
        }
        return list;
    }

    private static List<L1Kernels> load() {
        List<L1Kernels> found = new ArrayList<>();
        found.add(new L1Distance());
        Iterator<L1Kernels> it = ServiceLoader.load(L1Kernels.class, L1Kernels.class.getClassLoader()).iterator();
        while (true) {
            try {
                if (!it.hasNext()) break;
                L1Kernels k = it.next();
                if (!(k instanceof L1Distance)) found.add(k);
            } catch (ServiceConfigurationError | LinkageError e) {
                // The Vector API kernels cannot load here; the scalar reference stays.
            }
        }
        return List.copyOf(found);
    }
}
