package dev.tersor.compress.prune;

import static org.junit.jupiter.api.Assertions.*;

import dev.tersor.nn.Module;
import dev.tersor.nn.Rng;
import dev.tersor.nn.zoo.ModelInfo;
import dev.tersor.nn.zoo.Zoo;
import dev.tersor.tensor.Tensor;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every zoo model traces, loses a quarter of its channel groups, runs, and costs what the graph predicted. */
class ZooPruningTest {

    /** One model of each kind (the deeper CIFAR ResNets and the other EDSR scales trace the same way, only slower). */
    static java.util.List<String> models() {
        return java.util.List.of("lenet5-bn", "mlp", "resnet20", "vgg-small", "edsr", "edsr-ghost", "lenet5-binary", "resnet20-binary",
                "lenet5-adder", "resnet20-adder", "lenet5-half");
    }

    @ParameterizedTest
    @MethodSource("models")
    void everyZooModelPrunes(String name) {
        Rng.manualSeed(12);
        ModelInfo info = Zoo.info(name);
        Module m = info.create();
        int[] one = info.inputShape();
        int[] shape = new int[one.length + 1];
        shape[0] = 1;
        System.arraycopy(one, 0, shape, 1, one.length);
        if (!info.isClassifier()) shape[2] = shape[3] = 12;   // super-resolution nets are fully convolutional: a small sample traces the same
        Tensor x = Tensor.zeros(shape);
        ChannelGraph g = ChannelTrace.trace(m, x);
        System.out.println(name + ": " + g);
        if (g.families().isEmpty()) return;
        Set<Integer> removed = Allocator.choose(g, Criteria.l1().scores(m, g), PruningTarget.channels(0.25));
        long predicted = g.macs(removed);
        Pruning.apply(m, g, removed, x);
        assertEquals(predicted, ChannelTrace.trace(m, x).macs(), name);
        assertTrue(predicted < g.macs(), name);
    }
}
