package dev.tersor.tensor.backend;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * Finds the backends on the class path through {@link ServiceLoader} and picks one: the one
 * named by {@code -Dtersor.backend=NAME} if given, else the highest {@link Backend#priority()}.
 * A backend that cannot load (the Vector API without {@code --add-modules
 * jdk.incubator.vector}) is skipped with one line on stderr.
 */
public final class Backends {

    private static volatile Backend current;

    private Backends() {
    }

    /** The backend every op uses. */
    public static Backend current() {
        Backend b = current;
        if (b == null) {
            synchronized (Backends.class) {
                if (current == null) current = choose(System.getProperty("tersor.backend"));
                b = current;
            }
        }
        return b;
    }

    /** Switches every op to {@code backend} (tests and benchmarks compare backends this way). */
    public static void use(Backend backend) {
        if (backend == null) throw new IllegalArgumentException("backend must not be null");
        current = backend;
    }

    /** The backend with this name, e.g. {@code "scalar"} or {@code "vector"}. */
    public static Backend named(String name) {
        for (Backend b : available()) if (b.name().equalsIgnoreCase(name)) return b;
        List<String> names = available().stream().map(Backend::name).toList();
        throw new IllegalArgumentException("no backend named '" + name + "'; available: " + names);
    }

    /** Every backend that loads on this JVM, best first. */
    public static List<Backend> available() {
        List<Backend> found = new ArrayList<>();
        Iterator<Backend> it = ServiceLoader.load(Backend.class, Backends.class.getClassLoader()).iterator();
        while (true) {
            try {
                if (!it.hasNext()) break;
                found.add(it.next());
            } catch (ServiceConfigurationError | LinkageError e) {
                Warnings.once("backend", "tersor: a backend could not load (" + rootMessage(e)
                        + "); run the JVM with --add-modules jdk.incubator.vector for SIMD kernels");
            }
        }
        if (found.stream().noneMatch(b -> b instanceof ScalarBackend)) found.add(new ScalarBackend());
        found.sort(Comparator.comparingInt(Backend::priority).reversed());
        return found;
    }

    private static Backend choose(String requested) {
        if (requested != null && !requested.isBlank()) return named(requested.trim());
        Backend best = available().get(0);
        if (best instanceof ScalarBackend && !vectorModulePresent()) {
            Warnings.once("backend", "tersor: jdk.incubator.vector is not available; using the scalar backend"
                    + " (run java with --add-modules jdk.incubator.vector for SIMD kernels)");
        }
        return best;
    }

    private static boolean vectorModulePresent() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) t = t.getCause();
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }
}
