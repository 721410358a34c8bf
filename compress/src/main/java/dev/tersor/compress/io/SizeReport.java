package dev.tersor.compress.io;

import dev.tersor.nn.Module;
import dev.tersor.nn.Summary;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Per-layer sizes and bit operations of a (possibly compressed) model: bits per weight and per
 * input, stored bytes beside the float32 bytes of the same layer, multiply-accumulates and
 * BOPs ({@code MACs · b_w · b_a}, 32 × 32 for float layers), from one forward of a zero sample.
 * <pre>{@code
 * System.out.println(SizeReport.of(CompressedModel.load(path), 1, 28, 28));
 * }</pre>
 *
 * @param rows one per leaf layer with parameters or a packed layer, in forward order
 */
public record SizeReport(List<Row> rows) {

    /**
     * @param path       dotted path
     * @param type       module class
     * @param wbits      bits per weight (32 for float)
     * @param abits      bits per input activation (32 for float)
     * @param storedBytes bytes its tensors take in a file
     * @param floatBytes bytes the same parameters take as float32
     */
    public record Row(String path, String type, int wbits, int abits, long storedBytes, long floatBytes, long macs, long bops) {
    }

    public SizeReport {
        rows = List.copyOf(rows);
    }

    /** The report of {@code model} for one sample of {@code inputShape}. */
    public static SizeReport of(Module model, int... inputShape) {
        Map<String, Module> modules = model.namedModules();
        List<Row> rows = new ArrayList<>();
        for (Summary.Row r : Summary.of(model, inputShape).rows()) {
            Module m = modules.get(r.name());
            if (m instanceof PackedLayer p) {
                rows.add(new Row(r.name(), r.type(), p.weightBits(), p.inputBits(), (p.storedBits() + 7) / 8,
                        4 * p.floatParameters(), r.macs(), r.macs() * p.weightBits() * p.inputBits()));
            } else if (r.parameters() > 0) {
                rows.add(new Row(r.name(), r.type(), 32, 32, 4 * r.parameters(), 4 * r.parameters(), r.macs(), r.macs() * 32 * 32));
            }
        }
        return new SizeReport(rows);
    }

    /** Total stored bytes of the parameters. */
    public long storedBytes() {
        return rows.stream().mapToLong(Row::storedBytes).sum();
    }

    /** Total bytes of the same parameters as float32. */
    public long floatBytes() {
        return rows.stream().mapToLong(Row::floatBytes).sum();
    }

    /** Total BOPs of one sample. */
    public long bops() {
        return rows.stream().mapToLong(Row::bops).sum();
    }

    /** Total multiply-accumulates of one sample. */
    public long macs() {
        return rows.stream().mapToLong(Row::macs).sum();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-22s %-16s %5s %5s %12s %12s %14s%n",
                "layer", "type", "w", "a", "bytes", "float bytes", "BOPs"));
        for (Row r : rows) {
            sb.append(String.format(Locale.ROOT, "%-22s %-16s %5s %5s %,12d %,12d %,14d%n", r.path(), r.type(), bits(r.wbits()),
                    bits(r.abits()), r.storedBytes(), r.floatBytes(), r.bops()));
        }
        sb.append(String.format(Locale.ROOT, "%-22s %-16s %5s %5s %,12d %,12d %,14d%n", "total", "", "", "", storedBytes(),
                floatBytes(), bops()));
        sb.append(String.format(Locale.ROOT, "parameters %.2f× smaller than float32, BOPs %.2f%% of float", (double) floatBytes() / storedBytes(),
                100.0 * bops() / Math.max(1, macs() * 1024)));
        return sb.toString();
    }

    private static String bits(int b) {
        return b == 32 ? "f32" : Integer.toString(b);
    }
}
