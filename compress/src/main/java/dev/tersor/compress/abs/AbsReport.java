package dev.tersor.compress.abs;

import dev.tersor.compress.quant.QuantConfig;
import dev.tersor.compress.quant.QuantMethod;
import java.util.List;
import java.util.Locale;

/**
 * Where an ABS search stands (or what it chose): per searched layer the bit widths of weights and
 * input, the filters whose 0-bit gate is off, MACs and BOPs of one sample, and the totals against
 * the budget. BOPs are {@code MACs/K·kept·b_w·b_a}: pruned filters count as saved, although they
 * are only zeroed, not removed (see {@link Abs#finish}).
 *
 * @param layers     the searched layers in model order
 * @param budgetBops the budget: the configured fraction of {@link #w8a8Bops}
 * @param w8a8Bops   the searched layers' BOPs at 8-bit weights and inputs, {@code Σ MACs·64}
 * @param repairs    gates {@link Abs#finish} had to switch off because the search ended over budget (0 otherwise)
 */
public record AbsReport(List<Layer> layers, long budgetBops, long w8a8Bops, int repairs) {

    /**
     * @param path          dotted path
     * @param type          Conv2d or Linear
     * @param weightBits    chosen weight bits
     * @param inputBits     chosen input bits
     * @param filters       output channels K
     * @param prunedFilters output channels with the 0-bit gate off (zeroed), ascending
     * @param macs          multiply-accumulates of one sample, all filters
     * @param bops          {@code macs/K·(K − pruned)·weightBits·inputBits}
     */
    public record Layer(String path, String type, int weightBits, int inputBits, int filters, List<Integer> prunedFilters, long macs, long bops) {
        public Layer {
            prunedFilters = List.copyOf(prunedFilters);
        }
    }

    public AbsReport {
        layers = List.copyOf(layers);
    }

    /** Total BOPs of one sample over the searched layers. */
    public long bops() {
        return layers.stream().mapToLong(Layer::bops).sum();
    }

    /** Whether {@link #bops()} is within the budget. */
    public boolean meetsBudget() {
        return bops() <= budgetBops;
    }

    /** The layer at {@code path}; IllegalArgumentException if it was not searched. */
    public Layer layer(String path) {
        for (Layer l : layers) if (l.path().equals(path)) return l;
        throw new IllegalArgumentException("AbsReport: no searched layer '" + path + "'");
    }

    /**
     * The chosen bits as a {@link QuantConfig} for {@code method} (each searched layer named with
     * its bits), to retrain the same mixed precision with another quantizer; pruning is not carried.
     */
    public QuantConfig toQuantConfig(QuantMethod method) {
        QuantConfig.Builder b = QuantConfig.builder(method);
        for (Layer l : layers) b.layer(l.path(), l.weightBits(), l.inputBits());
        return b.build();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-16s %-7s %3s %3s %9s %12s %14s%n", "layer", "type", "w", "a",
                "pruned", "MACs", "BOPs"));
        for (Layer l : layers) {
            sb.append(String.format(Locale.ROOT, "%-16s %-7s %3d %3d %4d/%-4d %,12d %,14d%n", l.path(), l.type(), l.weightBits(), l.inputBits(),
                    l.prunedFilters().size(), l.filters(), l.macs(), l.bops()));
        }
        sb.append(String.format(Locale.ROOT, "BOPs %,d of budget %,d (%.1f%% of W8A8 %,d)%s", bops(), budgetBops, 100.0 * bops() / w8a8Bops,
                w8a8Bops, repairs == 0 ? "" : ", " + repairs + " gates switched off to meet the budget"));
        return sb.toString();
    }
}
