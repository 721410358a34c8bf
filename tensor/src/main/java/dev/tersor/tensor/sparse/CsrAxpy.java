package dev.tersor.tensor.sparse;

import dev.tersor.tensor.backend.Backends;
import java.util.ArrayList;
import java.util.List;

/**
 * The inner loop of {@link CsrProduct}: {@code c[dst + j] += v · b[src + j]} for {@code j < len},
 * each product rounded to float and then added (no fused multiply-add), so every kernel gives the
 * scalar loop's floats bit for bit. {@link #current} is the Vector API loop
 * ({@code CsrVectorAxpy}) when the vector backend is the current one and
 * {@code jdk.incubator.vector} loads, else the scalar loop (C2 did not vectorise it here: the
 * Vector API loop measured 2–4× faster on a 784-column row).
 */
interface CsrAxpy {
    void axpy(float v, float[] b, int src, float[] c, int dst, int len);

    /** The plain loop. */
    CsrAxpy SCALAR = (v, b, src, c, dst, len) -> {
        for (int j = 0; j < len; j++) c[dst + j] += v * b[src + j];
    };

    /** The loop for the current backend. */
    static CsrAxpy current() {
        if (!"vector".equalsIgnoreCase(Backends.current().name())) return SCALAR;
        CsrAxpy v = Loaded.VECTOR;
        return v != null ? v : SCALAR;
    }

    /** Every loop that runs on this JVM, the scalar one first (tests compare them). */
    static List<CsrAxpy> available() {
        List<CsrAxpy> out = new ArrayList<>(List.of(SCALAR));
        if (Loaded.VECTOR != null) out.add(Loaded.VECTOR);
        return out;
    }

    /** Loads the SIMD loop once, or leaves it null where it cannot run. */
    final class Loaded {
        static final CsrAxpy VECTOR = load();

        private Loaded() {
        }

        private static CsrAxpy load() {
            if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) return null;
            try {
                return (CsrAxpy) Class.forName("dev.tersor.tensor.sparse.CsrVectorAxpy").getDeclaredConstructor().newInstance();
            } catch (ReflectiveOperationException | LinkageError e) {
                return null;
            }
        }
    }
}
