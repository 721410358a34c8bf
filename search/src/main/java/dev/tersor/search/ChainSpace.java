package dev.tersor.search;

import dev.tersor.nn.AdaptiveAvgPool2d;
import dev.tersor.nn.BatchNorm2d;
import dev.tersor.nn.Conv2d;
import dev.tersor.nn.Flatten;
import dev.tersor.nn.Linear;
import dev.tersor.nn.Module;
import dev.tersor.nn.ReLU;
import dev.tersor.nn.Sequential;
import java.util.ArrayList;
import java.util.List;

/**
 * A chain search space: a fixed stem, L layers that each choose one candidate op, a fixed head.
 * <pre>
 * stem   Conv 3×3 (C → stemChannels) → BN → ReLU
 * layers layers.i: one of its candidates, in_i → out_i with stride_i    (out_i = in_{i+1})
 * head   AdaptiveAvgPool 1×1 → Flatten → Linear(out_{L−1}, classes)
 * </pre>
 * Declared by stages, each with its channels, number of layers and the stride of its first
 * layer, every layer choosing from the same candidates:
 * <pre>{@code
 * ChainSpace space = ChainSpace.of("my-space", new int[] {1, 28, 28}, 10, 8,
 *         List.of(OpSpec.parse("conv_3x3"), OpSpec.parse("sep_conv_5x5"), OpSpec.skip()),
 *         new ChainSpace.Stage(16, 2, 2), new ChainSpace.Stage(32, 2, 2));
 * Architecture a = space.random(new Generator(1));
 * Module net = space.build(a);               // [N, 1, 28, 28] → [N, 10]
 * }</pre>
 *
 * @param name         the space's name (recorded in architecture files)
 * @param channels     input channels C
 * @param height       input height H
 * @param width        input width W
 * @param classes      output classes
 * @param stemChannels the stem's output channels (the first layer's input)
 * @param choices      the layers, named {@code layers.0}, {@code layers.1}, ..., each taking the previous one's output channels
 */
public record ChainSpace(String name, int channels, int height, int width, int classes, int stemChannels, List<Choice> choices)
        implements SearchSpace {
    /** A stage: {@code layers} layers of {@code channels} output channels, the first with {@code stride}. */
    public record Stage(int channels, int layers, int stride) {
        public Stage {
            if (channels < 1 || layers < 1) throw new IllegalArgumentException("Stage: channels and layers must be >= 1, got " + channels + ", " + layers);
            if (stride != 1 && stride != 2) throw new IllegalArgumentException("Stage: stride must be 1 or 2, got " + stride);
        }
    }

    public ChainSpace {
        if (name == null || name.isEmpty()) throw new IllegalArgumentException("ChainSpace: name must be non-empty");
        if (channels < 1 || height < 1 || width < 1) {
            throw new IllegalArgumentException("ChainSpace " + name + ": input shape must be positive, got [" + channels + ", " + height + ", " + width + "]");
        }
        if (classes < 1 || stemChannels < 1) throw new IllegalArgumentException("ChainSpace " + name + ": classes and stemChannels must be >= 1");
        if (choices == null || choices.isEmpty()) throw new IllegalArgumentException("ChainSpace " + name + ": needs at least one layer");
        choices = List.copyOf(choices);
        int in = stemChannels;
        for (int i = 0; i < choices.size(); i++) {
            Choice c = choices.get(i);
            if (!c.name().equals("layers." + i)) throw new IllegalArgumentException("ChainSpace " + name + ": layer " + i + " must be named 'layers." + i + "', got '" + c.name() + "'");
            if (c.in() != in) throw new IllegalArgumentException("ChainSpace " + name + ": " + c.name() + " takes " + c.in() + " channels, the layer before gives " + in);
            in = c.out();
        }
    }

    /** A space of {@code stages}, each layer choosing from {@code candidates}. */
    public static ChainSpace of(String name, int[] inputShape, int classes, int stemChannels, List<OpSpec> candidates, Stage... stages) {
        if (inputShape.length != 3) throw new IllegalArgumentException("ChainSpace " + name + ": inputShape must be [C, H, W], got " + java.util.Arrays.toString(inputShape));
        List<Choice> choices = new ArrayList<>();
        int in = stemChannels;
        for (Stage s : stages) {
            for (int l = 0; l < s.layers(); l++) {
                choices.add(new Choice("layers." + choices.size(), in, s.channels(), l == 0 ? s.stride() : 1, candidates));
                in = s.channels();
            }
        }
        return new ChainSpace(name, inputShape[0], inputShape[1], inputShape[2], classes, stemChannels, choices);
    }

    /**
     * The tiny space of the Fashion-MNIST recipe, {@code fashion-chain-4x4}: 1×28×28 input, stem of 8
     * channels, four layers (16 channels stride 2, 16, 32 stride 2, 32), each choosing among
     * {@code conv_3x3}, {@code conv_5x5}, {@code sep_conv_5x5} and {@code skip_connect}: 256 networks.
     */
    public static ChainSpace fashionTiny() {
        return of("fashion-chain-4x4", new int[] {1, 28, 28}, 10, 8,
                List.of(OpSpec.parse("conv_3x3"), OpSpec.parse("conv_5x5"), OpSpec.parse("sep_conv_5x5"), OpSpec.skip()),
                new Stage(16, 1, 2), new Stage(16, 1, 1), new Stage(32, 1, 2), new Stage(32, 1, 1));
    }

    @Override
    public int[] inputShape() {
        return new int[] {channels, height, width};
    }

    @Override
    public ChainNetwork build(Architecture arch) {
        validate(arch);
        List<Module> ops = new ArrayList<>();
        for (int i = 0; i < choices.size(); i++) {
            Choice c = choices.get(i);
            ops.add(c.candidates().get(arch.op(i)).build(c.in(), c.out(), c.stride()));
        }
        return new ChainNetwork(stem(), ops, head());
    }

    @Override
    public ChainSupernet supernet() {
        return new ChainSupernet(this);
    }

    Module stem() {
        return new Sequential(new Conv2d(channels, stemChannels, 3, 1, 1, false), new BatchNorm2d(stemChannels), new ReLU());
    }

    Module head() {
        return new Sequential(new AdaptiveAvgPool2d(1), new Flatten(), new Linear(choices.get(choices.size() - 1).out(), classes));
    }
}
