package dev.tersor.tensor.lowbit;

import java.util.List;

/**
 * The L1-distance kernels of adder layers, the adder analogue of GEMM, and their AdderNet
 * backward rules. All matrices are row-major and contiguous from their offset:
 * <pre>
 * A [m, k]   filters, one per row           (adder conv: W as [K, C·kh·kw])
 * B [k, n]   columns, one patch per column  (adder conv: im2col of the input, [C·kh·kw, N·OH·OW])
 * G [m, n]   gradient of the output C
 *
 * negL1         C[i, j]  = −Σ_p |A[i, p] − B[p, j]|
 * diffGrad      dA[i, p] =  Σ_j G[i, j]·(B[p, j] − A[i, p])                 (AdderNet: ∂Y/∂F = X − F)
 * hardTanhGrad  dB[p, j] =  Σ_i G[i, j]·clamp(A[i, p] − B[p, j], −1, 1)      (AdderNet: ∂Y/∂X = HT(F − X))
 * </pre>
 * Outputs are overwritten, not accumulated. Implementations may split their work over
 * {@link dev.tersor.tensor.backend.Parallel}.
 *
 * <p>Implementations are found through {@link java.util.ServiceLoader} (this interface's
 * {@code META-INF/services} file), each named for the {@link dev.tersor.tensor.backend.Backend}
 * it belongs to: {@link #current()} is the one whose {@link #name()} is the current backend's,
 * else the scalar reference {@link L1Distance}. So the Vector API kernels
 * ({@code backend.vector.VectorL1Distance}) run exactly when the vector backend does, and a
 * JVM without {@code jdk.incubator.vector} (where they cannot load) falls back to the scalar
 * ones.
 */
public interface L1Kernels {

    /** The name of the backend these kernels belong to, e.g. {@code "scalar"} or {@code "vector"}. */
    String name();

    /** {@code C[i, j] = −Σ_p |A[i, p] − B[p, j]|}: A [m, k], B [k, n], C [m, n]. */
    void negL1(int m, int n, int k, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff);

    /**
     * AdderNet's filter gradient {@code dA[i, p] = Σ_j G[i, j]·(B[p, j] − A[i, p])}: A [m, k],
     * B [k, n], G [m, n], dA [m, k].
     */
    void diffGrad(int m, int n, int k, float[] a, int aOff, float[] b, int bOff, float[] g, int gOff,
                  float[] da, int daOff);

    /**
     * AdderNet's input gradient {@code dB[p, j] = Σ_i G[i, j]·clamp(A[i, p] − B[p, j], −1, 1)}:
     * A [m, k], B [k, n], G [m, n], dB [k, n].
     */
    void hardTanhGrad(int m, int n, int k, float[] a, int aOff, float[] b, int bOff, float[] g, int gOff,
                      float[] db, int dbOff);

    /** The kernels of the current backend ({@code Backends.current()}), else the scalar reference. */
    static L1Kernels current() {
        return L1Registry.current();
    }

    /** The kernels named {@code name} ("scalar", "vector"); throws if none loads under that name. */
    static L1Kernels named(String name) {
        return L1Registry.named(name);
    }

    /** Every implementation that loads on this JVM, the scalar reference first. */
    static List<L1Kernels> available() {
        return L1Registry.available();
    }
}
