package dev.tersor.compress.prune.meta;

import dev.tersor.compress.prune.ChannelGraph;
import dev.tersor.compress.prune.ChannelGraph.Kind;
import dev.tersor.compress.prune.ChannelGraph.Node;
import dev.tersor.nn.Conv2d;
import dev.tersor.nn.Linear;
import dev.tersor.nn.Module;
import dev.tersor.tensor.Functional;
import dev.tersor.tensor.Generator;
import dev.tersor.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * MetaPruning's PruningNet (Liu et al., ICCV 2019, arXiv 1903.10258, §3.2; liuzechun/MetaPruning
 * {@code resnet/training/resnet.py}): for every mixing layer of the model (Conv2d, Linear), two
 * fully connected layers turn the layer's network encoding into its whole weight,
 * <pre>
 * e = [k_in / C_in, k_out / C_out]                  (kept fraction of the layer's input and output channels)
 * W = reshape(fc2(ReLU(fc1(e))), [C_out, C_in, kh, kw])     fc1: 2 → hidden, fc2: hidden → C_out·C_in·kh·kw
 * W_pruned = W ⊙ (m_out ⊗ m_in)                     (the official crop W[:k_out, :k_in], as a mask)
 * </pre>
 * The official blocks take the scale ratios of their input, middle and output widths (3 numbers
 * shared by a bottleneck's three convolutions, hidden 32); here each layer takes the ratios of
 * its own input and output channels, which the channel graph gives for any architecture. The
 * cropping is done by masking at full width ({@link ChannelMask}); the kept channels are the
 * first ones of each family, as the crop keeps. Biases and batch norms are not generated (the
 * official layers have no bias; its batch norms are per width and without affine parameters):
 * here they stay the model's own parameters, trained with the PruningNet and shared by all widths,
 * and their running statistics are recalibrated for each candidate.
 *
 * <p>Initialisation: {@link Init#PRETRAINED} sets fc2's bias to the model's trained weight and
 * fc2's weight to zero, so every width starts from the trained weights (cropped) and the network
 * learns how they should change with the width — a start the official code (trained from
 * scratch, {@link Init#RANDOM}: PyTorch's default uniform ±1/√fan_in) does not have.
 */
public final class PruningNet extends Module {

    /** How the generators start. */
    public enum Init { PRETRAINED, RANDOM }

    private final Map<String, String> names = new LinkedHashMap<>();   // layer path -> child name
    private final Map<String, int[]> shapes = new LinkedHashMap<>();

    /**
     * One generator per mixing layer of {@code graph} (traced from {@code model}).
     *
     * @throws IllegalArgumentException if a mixing layer is not a Conv2d or Linear, or {@code hidden} < 1
     */
    public PruningNet(Module model, ChannelGraph graph, int hidden, Init init, long seed) {
        if (hidden < 1) throw new IllegalArgumentException("PruningNet: hidden must be >= 1, got " + hidden);
        Generator g = new Generator(seed);
        for (Node n : graph.nodes()) {
            if (n.kind() != Kind.MIXING) continue;
            Module layer = model.get(n.path());
            if (layer.getClass() != Conv2d.class && layer.getClass() != Linear.class) {
                throw new IllegalArgumentException("MetaPruning generates the weights of Conv2d and Linear layers; " + n.path() + " is a "
                        + layer.getClass().getSimpleName());
            }
            Tensor w = layer.stateDict().get("weight");
            String name = "g" + names.size();
            names.put(n.path(), name);
            shapes.put(n.path(), w.shape());
            register(name, new WeightGenerator(w, hidden, init, g));
        }
    }

    /** Paths of the layers whose weights are generated, in graph order. */
    public List<String> layers() {
        return new ArrayList<>(names.keySet());
    }

    /** The shape of the weight generated for {@code path}. */
    public int[] shape(String path) {
        return shapes.get(path).clone();
    }

    /**
     * The full-width weight generated for layer {@code path} from its encoding (kept fraction of
     * inputs, of outputs); not masked. Differentiable in the generator's parameters.
     */
    public Tensor generate(String path, float inRatio, float outRatio) {
        String name = names.get(path);
        if (name == null) throw new IllegalArgumentException("PruningNet: no generator for layer '" + path + "'");
        return ((WeightGenerator) child(name)).weight(inRatio, outRatio).reshape(shapes.get(path));
    }

    /** The weight of {@code path} for the removal {@code mask}: generated from its encoding and masked. */
    Tensor weight(String path, ChannelMask mask) {
        Tensor w = generate(path, mask.ratio(path, false), mask.ratio(path, true));
        return w.mul(mask.of(path, w.shape()));
    }

    /** The PruningNet has no forward of its own: it generates weights ({@link #generate}). */
    @Override
    public Tensor forward(Tensor input) {
        throw new UnsupportedOperationException("PruningNet generates weights: call generate(path, inRatio, outRatio)");
    }

    /** fc1: 2 → hidden, ReLU, fc2: hidden → numel of one layer's weight. */
    static final class WeightGenerator extends Module {
        WeightGenerator(Tensor weight, int hidden, Init init, Generator g) {
            int numel = weight.numel();
            Linear fc1 = register("fc1", new Linear(2, hidden));
            Linear fc2 = register("fc2", new Linear(hidden, numel));
            try (var ng = Tensor.noGrad()) {
                uniform(fc1.weight().value(), 1 / Math.sqrt(2), g);
                uniform(fc1.bias().value(), 1 / Math.sqrt(2), g);
                if (init == Init.PRETRAINED) {
                    fc2.weight().value().zeroInPlace();
                    fc2.bias().value().copyInPlace(weight.contiguous().reshape(numel));
                } else {
                    uniform(fc2.weight().value(), 1 / Math.sqrt(hidden), g);
                    uniform(fc2.bias().value(), 1 / Math.sqrt(hidden), g);
                }
            }
        }

        private static void uniform(Tensor t, double bound, Generator g) {
            t.copyInPlace(Tensor.rand(g, t.shape()).mul(2f).sub(1f).mul((float) bound));
        }

        Tensor weight(float inRatio, float outRatio) {
            Tensor e = Tensor.fromArray(new float[] {inRatio, outRatio}, 1, 2);
            return child("fc2").call(child("fc1").call(e).relu());
        }

        @Override
        public Tensor forward(Tensor e) {
            return child("fc2").call(child("fc1").call(e).relu());
        }
    }

    /**
     * A Conv2d or Linear whose weight is set from outside (the PruningNet's output) before each
     * forward; its bias is its own parameter. Swapped into the model by path while the PruningNet
     * trains and searches.
     */
    static final class GeneratedLayer extends Module {
        private final Conv2d conv;   // null for a linear layer
        private final dev.tersor.nn.Parameter bias;
        private Tensor weight;

        GeneratedLayer(Module layer) {
            conv = layer instanceof Conv2d c ? c : null;
            Tensor b = layer.stateDict().get("bias");
            bias = b == null ? null : registerParameter("bias", b.copy());
        }

        void set(Tensor w) {
            weight = w;
        }

        /** The trained bias, or null. */
        Tensor bias() {
            return bias == null ? null : bias.value();
        }

        @Override
        public Tensor forward(Tensor x) {
            if (weight == null) throw new IllegalStateException("GeneratedLayer: no weight generated yet");
            Tensor b = bias == null ? null : bias.value();
            return conv != null ? Functional.conv2d(x, weight, b, conv.options()) : Functional.linear(x, weight, b);
        }
    }
}
