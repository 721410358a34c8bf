package dev.tersor.compress.cluster;

import dev.tersor.nn.Conv2d;
import dev.tersor.nn.Linear;
import dev.tersor.nn.Module;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Weight sharing by optimal clustering (DP-Net, arXiv 2003.09615): each chosen layer's weights are
 * clustered into k = 2^bits centres by {@link OptimalClustering} and the layer is replaced, at its
 * dotted path ({@link Module#replace}), by a {@link ClusteredConv2d} or {@link ClusteredLinear} whose
 * centres can then be fine-tuned (their gradient is the sum over their weights).
 * <pre>{@code
 * ClusteringReport r = Clustering.apply(model, 3);                          // every Conv2d and Linear
 * Clustering.apply(model, 4, List.of("conv2", "fc1"));                      // chosen layers
 * new Adam(model.parameters(), Adam.options().lr(3e-4).build());            // centres and biases train
 * }</pre>
 * A centre's gradient is the sum over its n/k weights, n/k times a weight's: fine-tune with an
 * optimizer whose step does not scale with the gradient (Adam), or with SGD at about k/n of the
 * float learning rate (SGD at LeNet-5's float rate, 0.01 with momentum, diverged to 17 %).
 * Every layer is clustered before any is replaced, so a failure (a NaN weight) changes nothing.
 */
public final class Clustering {
    private Clustering() {
    }

    /** Clusters every plain Conv2d and Linear layer of {@code model} to {@code bits} (1..8) bits. */
    public static ClusteringReport apply(Module model, int bits) {
        return apply(model, bits, List.of());
    }

    /**
     * Clusters the layers at {@code paths} (every plain Conv2d and Linear layer when empty) to
     * {@code bits} bits.
     *
     * @throws IllegalArgumentException for bits outside 1..8, an unknown path or one that is not a
     *                                  Conv2d or Linear layer, each named in the message
     */
    public static ClusteringReport apply(Module model, int bits, List<String> paths) {
        int k = LayerPaths.clustersFor(bits);
        Map<String, Module> replacements = new LinkedHashMap<>();
        List<ClusteringReport.Layer> report = new ArrayList<>();
        for (var e : LayerPaths.select(model, paths).entrySet()) {
            Module layer = e.getValue();
            float[] w = LayerPaths.weight(layer).value().toArray();
            Clusters c;
            try {
                c = OptimalClustering.cluster(w, k);
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException("layer '" + e.getKey() + "': " + ex.getMessage(), ex);
            }
            replacements.put(e.getKey(), layer instanceof Conv2d conv ? ClusteredConv2d.of(conv, c, bits) : ClusteredLinear.of((Linear) layer, c, bits));
            report.add(new ClusteringReport.Layer(e.getKey(), layer.getClass().getSimpleName(), c.n(), c.k(), bits, c.sse()));
        }
        for (var e : replacements.entrySet()) {
            Module replacement = e.getValue();
            if (!model.get(e.getKey()).isTraining()) replacement.eval();
            model.replace(e.getKey(), replacement);
        }
        return new ClusteringReport(report);
    }
}
