package dev.tersor.bench.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import java.util.List;

/**
 * Tersor's zoo networks rebuilt layer for layer in DJL (DJL's own zoo LeNet is not LeNet-5, and
 * its ResNets are ImageNet-style):
 * <pre>
 * lenet5:   conv 1→6 5×5 pad 2, ReLU, max 2 | conv 6→16 5×5, ReLU, max 2 | fc 400→120, ReLU, fc 120→84, ReLU, fc 84→10
 * resnet20: conv 1→16 3×3 (no bias), BN, ReLU | 3 stages × 3 basic blocks (16, 32 stride 2, 64 stride 2) |
 *           global average pool | fc 64→10;  block: conv3×3-BN-ReLU-conv3×3-BN + shortcut, ReLU;
 *           shortcut option A: x[:, :, ::2, ::2] with zero channels padded half on each side
 * </pre>
 */
final class DjlNets {

    private DjlNets() {
    }

    static SequentialBlock lenet5() {
        return new SequentialBlock()
                .add(Conv2d.builder().setKernelShape(new Shape(5, 5)).setFilters(6).optPadding(new Shape(2, 2)).build())
                .add(Activation.reluBlock())
                .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)))
                .add(Conv2d.builder().setKernelShape(new Shape(5, 5)).setFilters(16).build())
                .add(Activation.reluBlock())
                .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)))
                .add(Blocks.batchFlattenBlock())
                .add(Linear.builder().setUnits(120).build())
                .add(Activation.reluBlock())
                .add(Linear.builder().setUnits(84).build())
                .add(Activation.reluBlock())
                .add(Linear.builder().setUnits(10).build());
    }

    static SequentialBlock resnet20() {
        SequentialBlock net = new SequentialBlock().add(conv3x3(16, 1)).add(BatchNorm.builder().build()).add(Activation.reluBlock());
        int in = 16;
        for (int planes : new int[] {16, 32, 64}) {
            for (int i = 0; i < 3; i++) {
                net.add(basicBlock(in, planes, i == 0 && planes != 16 ? 2 : 1));
                in = planes;
            }
        }
        return net.add(Pool.globalAvgPool2dBlock()).add(Linear.builder().setUnits(10).build());
    }

    private static Block conv3x3(int filters, int stride) {
        return Conv2d.builder().setKernelShape(new Shape(3, 3)).setFilters(filters).optStride(new Shape(stride, stride))
                .optPadding(new Shape(1, 1)).optBias(false).build();
    }

    private static Block basicBlock(int in, int planes, int stride) {
        Block main = new SequentialBlock().add(conv3x3(planes, stride)).add(BatchNorm.builder().build()).add(Activation.reluBlock())
                .add(conv3x3(planes, 1)).add(BatchNorm.builder().build());
        Block shortcut = stride == 1 && in == planes ? Blocks.identityBlock()
                : LambdaBlock.singleton(x -> optionA(x, stride, (planes - in) / 2), "shortcut");
        return new ParallelBlock(outs -> new NDList(Activation.relu(outs.get(0).singletonOrThrow().add(outs.get(1).singletonOrThrow()))),
                List.of(main, shortcut));
    }

    /** [N, C, H, W] → [N, C + 2·pad, ⌈H/s⌉, ⌈W/s⌉]: subsample, then zero channels before and after. */
    private static NDArray optionA(NDArray x, int stride, int pad) {
        NDArray s = x.get(new NDIndex(":, :, ::" + stride + ", ::" + stride));
        Shape sh = s.getShape();
        NDArray z = x.getManager().zeros(new Shape(sh.get(0), pad, sh.get(2), sh.get(3)), s.getDataType());
        return NDArrays.concat(new NDList(z, s, z), 1);
    }
}
