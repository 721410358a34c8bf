package dev.tersor.nn.zoo;

import dev.tersor.nn.BatchNorm2d;
import dev.tersor.nn.Module;
import dev.tersor.nn.binary.BinaryConv2d;
import dev.tersor.nn.binary.BinaryOptions;
import dev.tersor.tensor.Tensor;

/**
 * The Bi-Real / RBNN CIFAR block: a real-valued shortcut around each binary convolution.
 * <pre>
 * y1 = hardtanh(bn1(conv1(x)) + shortcut(x))        conv1: binary 3×3, stride s
 * y  = hardtanh(bn2(conv2(y1)) + y1)                 conv2: binary 3×3
 * </pre>
 * The shortcut is option A (parameter-free: {@code x[:, :, ::2, ::2]} and zero channels padded
 * half on each side when the shape changes), as {@link BasicBlock}.
 */
public class BinaryBasicBlock extends Module {
    private final int in, planes, stride;

    /** A block from {@code in} to {@code planes} channels with the given stride. */
    public BinaryBasicBlock(int in, int planes, int stride, BinaryOptions opts) {
        this.in = in;
        this.planes = planes;
        this.stride = stride;
        register("conv1", new BinaryConv2d(in, planes, 3, stride, 1, opts));
        register("bn1", new BatchNorm2d(planes));
        register("conv2", new BinaryConv2d(planes, planes, 3, 1, 1, opts));
        register("bn2", new BatchNorm2d(planes));
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor y1 = child("bn1").call(child("conv1").call(x)).add(shortcut(x)).hardtanh(-1f, 1f);
        return child("bn2").call(child("conv2").call(y1)).add(y1).hardtanh(-1f, 1f);
    }

    private Tensor shortcut(Tensor x) {
        if (stride == 1 && in == planes) return x;
        Tensor s = x.slice(2, 0, x.size(2), stride).slice(3, 0, x.size(3), stride);
        int pad = (planes - in) / 2;
        return s.pad(new int[] {0, 0, 0, 0, pad, planes - in - pad}, 0f);
    }
}
