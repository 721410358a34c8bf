package dev.tersor.nn.zoo;

import dev.tersor.nn.BatchNorm2d;
import dev.tersor.nn.Conv2d;
import dev.tersor.nn.Module;
import dev.tersor.tensor.Tensor;

/**
 * The CIFAR ResNet block: conv1 (3×3, stride s) → bn1 → ReLU → conv2 (3×3) → bn2, plus the
 * option-A shortcut (parameter-free: stride-2 subsampling {@code x[:, :, ::2, ::2]} and zero
 * channels padded half on each side when the shape changes: {@link ZeroPadShortcut}, registered as
 * {@code shortcut}, which has no state), then ReLU.
 */
public class BasicBlock extends Module {
    /** A block from {@code in} to {@code planes} channels with the given stride. */
    public BasicBlock(int in, int planes, int stride) {
        register("conv1", new Conv2d(in, planes, 3, stride, 1, false));
        register("bn1", new BatchNorm2d(planes));
        register("conv2", new Conv2d(planes, planes, 3, 1, 1, false));
        register("bn2", new BatchNorm2d(planes));
        if (stride != 1 || in != planes) register("shortcut", ZeroPadShortcut.centred(stride, in, planes));
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor y = child("bn1").call(child("conv1").call(x)).relu();
        y = child("bn2").call(child("conv2").call(y));
        Tensor shortcut = children().containsKey("shortcut") ? child("shortcut").call(x) : x;
        return y.add(shortcut).relu();
    }
}
