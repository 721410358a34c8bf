package dev.tersor.tensor.lowbit;

import dev.tersor.tensor.backend.Backends;
import java.util.ArrayList;
import java.util.List;

/**
 * Picks the int8 loops once: the Vector API kernel when the vector backend is the current one and
 * it loads, else the scalar loops. With {@code -Dtersor.backend=scalar} (or without
 * {@code jdk.incubator.vector}) the scalar kernel runs, as every other op does.
 */
final class Int8Kernels {
    private static final Int8Kernel SCALAR = new Int8ScalarKernel();
    private static volatile Int8Kernel vector;
    private static volatile boolean vectorTried;

    private Int8Kernels() {
    }

    /** The kernel for the current backend. */
    static Int8Kernel current() {
        if (!"vector".equalsIgnoreCase(Backends.current().name())) return SCALAR;
        Int8Kernel v = vector();
        return v != null ? v : SCALAR;
    }

    /** The SIMD kernel, or null where it cannot run. */
    static Int8Kernel vector() {
        if (!vectorTried) {
            synchronized (Int8Kernels.class) {
                if (!vectorTried) {
                    vector = loadVector();
                    vectorTried = true;
                }
            }
        }
        return vector;
    }

    /** Every kernel that runs on this JVM, the scalar one first (tests compare them). */
    static List<Int8Kernel> available() {
        List<Int8Kernel> list = new ArrayList<>(List.of(SCALAR));
        if (vector() != null) list.add(vector());
        return list;
    }

    private static Int8Kernel loadVector() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) return null;
        try {
            Class<?> c = Class.forName("dev.tersor.tensor.lowbit.Int8VectorKernel");
            return (Int8Kernel) c.getDeclaredMethod("create").invoke(null);
        } catch (ReflectiveOperationException | LinkageError e) {
            return null;
        }
    }
}
