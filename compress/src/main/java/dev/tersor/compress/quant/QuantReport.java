package dev.tersor.compress.quant;

import java.util.List;

/**
 * What {@link Quantization#prepare} did: every Conv2d/Linear in model order, with the bits it got
 * or why it stayed float.
 *
 * @param layers one entry per Conv2d/Linear of the model
 */
public record QuantReport(QuantMethod method, List<Entry> layers) {

    /**
     * One layer: its dotted path, {@code "Conv2d"} or {@code "Linear"}, and its weight and input
     * bits (0 when it stays float; {@code activationBits} 0 also for weight-only quantization).
     */
    public record Entry(String path, String type, int weightBits, int activationBits) {
        /** True when the layer was swapped for its quantized version. */
        public boolean quantized() {
            return weightBits > 0;
        }
    }

    public QuantReport {
        layers = List.copyOf(layers);
    }

    /** Paths of the swapped layers, in model order. */
    public List<String> quantizedPaths() {
        return layers.stream().filter(Entry::quantized).map(Entry::path).toList();
    }

    /** Paths of the layers left float. */
    public List<String> floatPaths() {
        return layers.stream().filter(e -> !e.quantized()).map(Entry::path).toList();
    }

    /** A table: path, type, W bits, A bits. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(method + " quantization\n");
        for (Entry e : layers) {
            sb.append(String.format(java.util.Locale.ROOT, "  %-24s %-7s %s%n", e.path(), e.type(),
                    e.quantized() ? "W" + e.weightBits() + (e.activationBits() > 0 ? " A" + e.activationBits() : " A float") : "float"));
        }
        return sb.toString();
    }
}
