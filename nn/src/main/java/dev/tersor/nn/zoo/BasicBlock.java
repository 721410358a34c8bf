package dev.tersor.nn.zoo;

import dev.tersor.nn.BatchNorm2d;
import dev.tersor.nn.Conv2d;
import dev.tersor.nn.Module;
import dev.tersor.tensor.Tensor;

/**
 * The CIFAR ResNet block: conv1 (3×3, stride s) → bn1 → ReLU → conv2 (3×3) → bn2, plus the
 * option-A shortcut (parameter-free: stride-2 subsampling {@code x[:, :, ::2, ::2]} and zero
 * channels padded half on each side when the shape changes), then ReLU.
 */
public class BasicBlock extends Module {
    private final int in, planes, stride;

    /** A block from {@code in} to {@code planes} channels with the given stride. */
    public BasicBlock(int in, int planes, int stride) {
        this.in = in;
        this.planes = planes;
        this.stride = stride;
        register("conv1", new Conv2d(in, planes, 3, stride, 1, false));
        register("bn1", new BatchNorm2d(planes));
        register("conv2", new Conv2d(planes, planes, 3, 1, 1, false));
        register("bn2", new BatchNorm2d(planes));
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor y = child("bn1").call(child("conv1").call(x)).relu();
        y = child("bn2").call(child("conv2").call(y));
        return y.add(shortcut(x)).relu();
    }

    private Tensor shortcut(Tensor x) {
        if (stride == 1 && in == planes) return x;
        Tensor s = x.slice(2, 0, x.size(2), stride).slice(3, 0, x.size(3), stride);
        int pad = (planes - in) / 2;
        return s.pad(new int[] {0, 0, 0, 0, pad, planes - in - pad}, 0f);
    }
}
