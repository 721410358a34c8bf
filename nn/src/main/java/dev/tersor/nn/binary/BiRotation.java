package dev.tersor.nn.binary;

import dev.tersor.tensor.Generator;
import dev.tersor.tensor.Tensor;

/**
 * RBNN's bi-rotation (Lin et al., NeurIPS 2020, arXiv 2009.13055): the rotation of each filter's
 * weight vector w ∈ ℝⁿ is the Kronecker product of two small orthogonal matrices,
 * {@code R = R1 ⊗ R2} with {@code n = n1·n2}, applied to the filter reshaped to
 * {@code X ∈ ℝ^{n1×n2}} as {@code R1ᵀ·X·R2}. Learning R1 and R2 for all K filters of a layer
 * maximises the alignment with the binary vertices,
 * <pre>
 * max_{B, R1, R2}  Σ_i tr(B_iᵀ·R1ᵀ·X_i·R2)      B_i ∈ {±1}^{n1×n2}, R1, R2 orthogonal
 * </pre>
 * by alternating closed-form steps: {@code B_i = sign(R1ᵀ X_i R2)}; {@code R1 = polar(Σ_i X_i R2 B_iᵀ)};
 * {@code R2 = polar(Σ_i X_iᵀ R1 B_i)}, where polar(M) = U·Vᵀ of M's SVD (orthogonal
 * Procrustes, {@link JacobiSvd}). Each step cannot lower the objective.
 */
public final class BiRotation {
    private BiRotation() {
    }

    /** {@code [n1, n2]} with {@code n1·n2 = n} and n1 the largest divisor ≤ √n (the RBNN code's choice). */
    public static int[] factors(int n) {
        if (n < 1) throw new IllegalArgumentException("BiRotation: size must be positive, got " + n);
        for (int a = (int) Math.sqrt(n); a >= 1; a--) if (n % a == 0) return new int[] {a, n / a};
        return new int[] {1, n};
    }

    /** A random orthogonal n×n matrix: the polar factor of a Gaussian matrix (Haar-distributed). */
    public static Tensor randomOrthogonal(int n, Generator gen) {
        double[] g = new double[n * n];
        for (int i = 0; i < g.length; i++) g[i] = gen.nextGaussian();
        return toTensor(JacobiSvd.of(g, n).polar(), n);
    }

    /** {@code R1ᵀ·X_i·R2} for every filter: x [K, n1, n2] → [K, n1, n2]. */
    public static Tensor rotate(Tensor x, Tensor r1, Tensor r2) {
        return r1.transpose(0, 1).matmul(x).matmul(r2);
    }

    /** {@code Σ_i tr(B_iᵀ·R1ᵀ·X_i·R2)} with {@code B = sign(R1ᵀ X R2)}: the sum of |rotated weights|. */
    public static double objective(Tensor x, Tensor r1, Tensor r2) {
        try (var g = Tensor.noGrad()) {
            return rotate(x, r1, r2).abs().sum().item();
        }
    }

    /**
     * Runs {@code iterations} rounds of the alternating update from (r1, r2).
     *
     * @param x filters [K, n1, n2] (no gradient needed)
     * @return {R1, R2}, orthogonal
     */
    public static Tensor[] update(Tensor x, Tensor r1, Tensor r2, int iterations) {
        int n1 = r1.size(0), n2 = r2.size(0);
        try (var g = Tensor.noGrad()) {
            Tensor xd = x.detach();
            for (int it = 0; it < iterations; it++) {
                Tensor b = BinarySign.signs(rotate(xd, r1, r2));
                r1 = polar(xd.matmul(r2).matmul(b.transpose(1, 2)).sum(0), n1);
                r2 = polar(xd.transpose(1, 2).matmul(r1).matmul(b).sum(0), n2);
            }
        }
        return new Tensor[] {r1, r2};
    }

    /** The orthogonal polar factor of a square matrix [n, n]. */
    public static Tensor polar(Tensor m, int n) {
        float[] f = m.contiguous().toArray();
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return toTensor(JacobiSvd.of(d, n).polar(), n);
    }

    private static Tensor toTensor(double[] d, int n) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
        return Tensor.fromArray(f, n, n);
    }
}
