package dev.tersor.compress.sparse;

import dev.tersor.compress.io.PackedLayer;
import dev.tersor.nn.Module;
import dev.tersor.nn.io.SafetensorsWriter;
import dev.tersor.tensor.Tensor;
import java.util.Map;

/**
 * What {@link SparseConv2d} and {@link SparseLinear} share: the stored nonzeros
 * ({@link SparseWeights}), whether the layer computes with them (a CSR kernel) or with the
 * decoded dense weight (when the sparse kernel measured slower, {@link SparseConversion}), and
 * everything a {@link PackedLayer} reports. Scheme entries: {@code format}, {@code nnz},
 * {@code compute} ({@code sparse} or {@code dense}).
 */
abstract class SparseLayer extends Module implements PackedLayer {
    /** The kind sparse layers are written as. */
    static final String KIND = "sparse";
    final SparseWeights weights;
    final boolean sparseCompute;

    SparseLayer(SparseWeights weights, boolean sparseCompute) {
        this.weights = weights;
        this.sparseCompute = sparseCompute;
    }

    /** Whether forward runs the CSR kernel (false: the decoded dense weight). */
    public boolean computesSparse() {
        return sparseCompute;
    }

    /** The stored format (CSR or bitmask). */
    public SparseFormat format() {
        return weights.format;
    }

    /** Stored nonzero weights. */
    public int nonzeros() {
        return weights.csr.nonzeros();
    }

    /** Fraction of zero weights. */
    public double sparsity() {
        return 1 - weights.csr.density();
    }

    /** The dense weight (decoded), of the original layer's shape. */
    public Tensor denseWeight() {
        return Tensor.fromArray(weights.csr.toDense(), weights.shape);
    }

    Tensor denseBias() {
        return weights.bias == null ? null : Tensor.fromArray(weights.bias, weights.bias.length);
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public Map<String, String> scheme() {
        Map<String, String> m = weights.scheme();
        m.put("compute", sparseCompute ? "sparse" : "dense");
        return m;
    }

    @Override
    public void writeTensors(String prefix, SafetensorsWriter writer) {
        weights.write(prefix, writer);
    }

    @Override
    public long storedBits() {
        return 8 * (weights.weightBytes() + (weights.bias == null ? 0 : 4L * weights.bias.length));
    }

    @Override
    public long weightCount() {
        return weights.count();
    }

    @Override
    public long floatParameters() {
        return weights.count() + (weights.bias == null ? 0 : weights.bias.length);
    }

    @Override
    public long residentBytes() {
        long b = weights.bias == null ? 0 : 4L * weights.bias.length;
        return sparseCompute ? 8L * nonzeros() + 4L * (weights.csr.rows() + 1) + b : 4 * weights.count() + b;
    }

    /** 32: the kept values are float32. */
    @Override
    public int weightBits() {
        return 32;
    }

    @Override
    public int inputBits() {
        return 32;
    }

    /** Multiply-accumulates per output element: the kept weights of a row when sparse, the fan-in when dense. */
    long macsPerOutput() {
        return sparseCompute ? Math.max(1, nonzeros() / weights.csr.rows()) : weights.csr.cols();
    }

    String sparseText() {
        return String.format(java.util.Locale.ROOT, "sparsity=%.1f%%, %s, compute=%s", 100 * sparsity(), weights.format.label(),
                sparseCompute ? "sparse" : "dense");
    }
}
