package dev.tersor.nn.zoo;

import dev.tersor.nn.BatchNorm2d;
import dev.tersor.nn.Module;
import dev.tersor.nn.Sequential;
import dev.tersor.nn.adder.AdderConv2d;
import dev.tersor.tensor.Conv2dOptions;
import dev.tersor.tensor.Tensor;
import dev.tersor.tensor.lowbit.AdderBackward;

/**
 * The block of the AdderNet ResNet-20 (the official {@code resnet20.py}): conv1 (adder 3×3,
 * stride s) → bn1 → ReLU → conv2 (adder 3×3) → bn2, plus the shortcut, then ReLU. When the
 * shape changes the shortcut is {@code downsample} = adder 1×1 with stride s → batch norm
 * (option B, registered as {@code downsample.0} and {@code downsample.1}), else the identity.
 */
public class AdderBasicBlock extends Module {

    /** A block from {@code in} to {@code planes} channels with the given stride. */
    public AdderBasicBlock(int in, int planes, int stride, AdderBackward backward) {
        register("conv1", new AdderConv2d(in, planes, 3, 3, Conv2dOptions.of(stride, 1), false, backward));
        register("bn1", new BatchNorm2d(planes));
        register("conv2", new AdderConv2d(planes, planes, 3, 3, Conv2dOptions.of(1, 1), false, backward));
        register("bn2", new BatchNorm2d(planes));
        if (stride != 1 || in != planes) {
            Sequential down = new Sequential();
            down.add(new AdderConv2d(in, planes, 1, 1, Conv2dOptions.of(stride, 0), false, backward));
            down.add(new BatchNorm2d(planes));
            register("downsample", down);
        }
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor y = child("bn1").call(child("conv1").call(x)).relu();
        y = child("bn2").call(child("conv2").call(y));
        Tensor shortcut = children().containsKey("downsample") ? child("downsample").call(x) : x;
        return y.add(shortcut).relu();
    }
}
