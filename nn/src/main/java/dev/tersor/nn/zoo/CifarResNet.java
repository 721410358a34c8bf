package dev.tersor.nn.zoo;

import dev.tersor.nn.BatchNorm2d;
import dev.tersor.nn.Conv2d;
import dev.tersor.nn.Linear;
import dev.tersor.nn.Module;
import dev.tersor.nn.Sequential;
import dev.tersor.tensor.Tensor;

/**
 * The CIFAR ResNets of He et al. 2016 (ResNet-20/32/44/56/110 for depth 6n+2): [N, 3, 32, 32] →
 * logits [N, classes]. conv1 (3→16, 3×3, no bias) → bn1 → ReLU → layer1 (n blocks, 16 ch) →
 * layer2 (32 ch, first block stride 2) → layer3 (64 ch, first block stride 2) → global average
 * pooling → linear (64→classes). Shortcuts are option A (see {@link BasicBlock}). Inputs are
 * normalised per channel by the data pipeline.
 */
public class CifarResNet extends Module {
    private final int depth, inChannels;

    /** A ResNet of depth 6n+2 with {@code classes} outputs for RGB input. */
    public CifarResNet(int depth, int classes) {
        this(depth, classes, 3);
    }

    /**
     * A ResNet of depth 6n+2 with {@code classes} outputs for {@code inChannels}-channel input
     * (1 for MNIST-like grey images; any spatial size: the pooling is global).
     */
    public CifarResNet(int depth, int classes, int inChannels) {
        if (depth < 8 || (depth - 2) % 6 != 0) {
            throw new IllegalArgumentException("CifarResNet: depth must be 6n+2 (20, 32, 44, 56, 110), got " + depth);
        }
        if (inChannels < 1) throw new IllegalArgumentException("CifarResNet: inChannels must be >= 1, got " + inChannels);
        this.depth = depth;
        this.inChannels = inChannels;
        int n = (depth - 2) / 6;
        register("conv1", new Conv2d(inChannels, 16, 3, 1, 1, false));
        register("bn1", new BatchNorm2d(16));
        register("layer1", stage(16, 16, n, 1));
        register("layer2", stage(16, 32, n, 2));
        register("layer3", stage(32, 64, n, 2));
        register("linear", new Linear(64, classes));
    }

    private static Sequential stage(int in, int planes, int blocks, int stride) {
        Sequential s = new Sequential();
        for (int i = 0; i < blocks; i++) s.add(new BasicBlock(i == 0 ? in : planes, planes, i == 0 ? stride : 1));
        return s;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.dim() != 4 || x.size(1) != inChannels) {
            throw new IllegalArgumentException("ResNet-" + depth + ": expected input [N, " + inChannels + ", H, W], got "
                    + java.util.Arrays.toString(x.shape()));
        }
        Tensor y = child("bn1").call(child("conv1").call(x)).relu();
        y = child("layer3").call(child("layer2").call(child("layer1").call(y)));
        y = y.mean(new int[] {2, 3}, false);
        return child("linear").call(y);
    }
}
