package dev.tersor.compress.sparse;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What {@link SparseConversion} did to each pruned layer: its sparsity, how it is stored, its
 * bytes beside float32, both forms' measured time at the conversion's batch size and whether it
 * computes sparse or was kept dense.
 *
 * @param batch the batch size the layers were timed at
 * @param rows  one per pruned layer, in model order
 */
public record SparsityReport(int batch, List<Row> rows) {

    /**
     * @param path         dotted path
     * @param weights      weights of the layer
     * @param nonzeros     weights kept
     * @param format       how it is stored
     * @param storedBytes  bytes of its weight and bias tensors in the file
     * @param floatBytes   the same as float32
     * @param timing       seconds per forward of each form, or null when not timed (stored dense)
     * @param sparseCompute whether it computes with the CSR kernel
     */
    public record Row(String path, long weights, long nonzeros, SparseFormat format, long storedBytes, long floatBytes,
                      SpeedCheck.Timing timing, boolean sparseCompute) {
        /** Fraction of zero weights. */
        public double sparsity() {
            return weights == 0 ? 0 : 1 - (double) nonzeros / weights;
        }

        /** "sparse", "dense (slower)" or "dense (stored dense)". */
        public String decision() {
            if (sparseCompute) return "sparse";
            return timing == null ? "dense (stored dense)" : "dense (sparse slower)";
        }
    }

    public SparsityReport {
        rows = List.copyOf(rows);
    }

    /** One line per layer kept dense although stored sparse: "fc1: 80% sparse but 1.3× slower than dense at batch 1 → kept dense". */
    public List<String> notes() {
        List<String> out = new ArrayList<>();
        for (Row r : rows) {
            if (!r.sparseCompute() && r.timing() != null) {
                out.add(String.format(Locale.ROOT, "%s: %.0f%% sparse but %.2f× slower than dense at batch %d → kept dense", r.path(),
                        100 * r.sparsity(), r.timing().ratio(), batch));
            } else if (r.format() == SparseFormat.DENSE) {
                out.add(String.format(Locale.ROOT, "%s: %.0f%% sparse, sparse storage is not smaller than float32 → kept dense", r.path(),
                        100 * r.sparsity()));
            }
        }
        return out;
    }

    /** Total fraction of zero weights over the pruned layers. */
    public double sparsity() {
        long n = rows.stream().mapToLong(Row::weights).sum(), nz = rows.stream().mapToLong(Row::nonzeros).sum();
        return n == 0 ? 0 : 1 - (double) nz / n;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-16s %9s %8s %-8s %10s %11s %11s %11s  %s%n", "layer", "weights",
                "sparsity", "storage", "bytes", "float bytes", "sparse µs", "dense µs", "compute (batch " + batch + ")"));
        for (Row r : rows) {
            sb.append(String.format(Locale.ROOT, "%-16s %,9d %7.1f%% %-8s %,10d %,11d %11s %11s  %s%n", r.path(), r.weights(), 100 * r.sparsity(),
                    r.format().label(), r.storedBytes(), r.floatBytes(), micros(r.timing(), true), micros(r.timing(), false), r.decision()));
        }
        for (String n : notes()) sb.append(n).append('\n');
        return sb.toString().stripTrailing();
    }

    private static String micros(SpeedCheck.Timing t, boolean sparse) {
        if (t == null) return "-";
        return String.format(Locale.ROOT, "%.1f", 1e6 * (sparse ? t.sparseSeconds() : t.denseSeconds()));
    }
}
