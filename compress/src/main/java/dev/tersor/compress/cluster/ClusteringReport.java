package dev.tersor.compress.cluster;

import dev.tersor.compress.io.PackedInts;
import java.util.List;
import java.util.Locale;

/**
 * What {@link Clustering#apply} did, per layer, with the weight sizes as floats and packed
 * (k float centres plus ⌈n·bits/8⌉ bytes of indices per layer; biases are not counted).
 *
 * @param layers one entry per clustered layer, in the order they were clustered
 */
public record ClusteringReport(List<Layer> layers) {
    public ClusteringReport {
        layers = List.copyOf(layers);
    }

    /**
     * One layer.
     *
     * @param path dotted path of the layer in the model
     * @param type the replaced layer's class, {@code Conv2d} or {@code Linear}
     * @param n    number of weights
     * @param k    number of centres (fewer than 2^bits only when the layer has fewer distinct weights)
     * @param bits bits per index
     * @param sse  {@code Σ (w − c(w))²} of the weights against their centres
     */
    public record Layer(String path, String type, int n, int k, int bits, double sse) {
        /** {@code 4·n}. */
        public long floatBytes() {
            return 4L * n;
        }

        /** {@code 4·k + ⌈n·bits/8⌉}. */
        public long packedBytes() {
            return 4L * k + PackedInts.packedLength(n, bits);
        }
    }

    /** Σ floatBytes over the layers. */
    public long floatBytes() {
        return layers.stream().mapToLong(Layer::floatBytes).sum();
    }

    /** Σ packedBytes over the layers. */
    public long packedBytes() {
        return layers.stream().mapToLong(Layer::packedBytes).sum();
    }

    /** {@code floatBytes / packedBytes}. */
    public double compressionRatio() {
        return (double) floatBytes() / packedBytes();
    }

    /** A table: one line per layer and a total. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-24s %-7s %9s %4s %4s %12s %10s %10s%n",
                "layer", "type", "n", "k", "bits", "sse", "float B", "packed B"));
        for (Layer l : layers) {
            sb.append(String.format(Locale.ROOT, "%-24s %-7s %9d %4d %4d %12.5g %10d %10d%n", l.path(), l.type(), l.n(), l.k(), l.bits(),
                    l.sse(), l.floatBytes(), l.packedBytes()));
        }
        return sb.append(String.format(Locale.ROOT, "total: %d float bytes -> %d packed bytes (%.2fx)", floatBytes(), packedBytes(),
                compressionRatio())).toString();
    }
}
