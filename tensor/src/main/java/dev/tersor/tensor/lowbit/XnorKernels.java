package dev.tersor.tensor.lowbit;

import dev.tersor.tensor.backend.Backends;
import java.util.ArrayList;
import java.util.List;

/**
 * Picks the XNOR-popcount loop once: the Vector API kernel when the vector backend is the
 * current one and this JDK has lane-wise BIT_COUNT (19+), else the scalar reference. With
 * {@code -Dtersor.backend=scalar} (or without {@code jdk.incubator.vector}) the scalar kernel
 * runs, as every other op does.
 */
final class XnorKernels {
    private static final XnorKernel SCALAR = new XnorScalarKernel();
    private static volatile XnorKernel vector;
    private static volatile boolean vectorTried;

    private XnorKernels() {
    }

    /** The kernel for the current backend. */
    static XnorKernel current() {
        if (!"vector".equalsIgnoreCase(Backends.current().name())) return SCALAR;
        XnorKernel v = vector();
        return v != null ? v : SCALAR;
    }

    /** The scalar reference. */
    static XnorKernel scalar() {
        return SCALAR;
    }

    /** The SIMD kernel, or null where it cannot run (no {@code jdk.incubator.vector}, or JDK < 19). */
    static XnorKernel vector() {
        if (!vectorTried) {
            synchronized (XnorKernels.class) {
                if (!vectorTried) {
                    vector = loadVector();
                    vectorTried = true;
                }
            }
        }
        return vector;
    }

    /** Every kernel that runs on this JVM, the scalar one first (tests compare them). */
    static List<XnorKernel> available() {
        List<XnorKernel> list = new ArrayList<>(List.of(SCALAR));
        if (vector() != null) list.add(vector());
        return list;
    }

    private static XnorKernel loadVector() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) return null;
        try {
            Class<?> c = Class.forName("dev.tersor.tensor.lowbit.XnorVectorKernel");
            return (XnorKernel) c.getDeclaredMethod("create").invoke(null);
        } catch (ReflectiveOperationException | LinkageError e) {
            return null;
        }
    }
}
