package dev.tersor.compress.convert;

import dev.tersor.compress.cluster.Clustering;
import dev.tersor.nn.Module;
import dev.tersor.nn.Rng;
import dev.tersor.nn.zoo.Zoo;
import dev.tersor.tensor.ConcurrentCalls;
import dev.tersor.tensor.Generator;
import dev.tersor.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Converted integer models (int8, packed 4- and 2-bit, DP-Net codebooks) shared by 8 threads:
 * every output equals the serial call's bit for bit (the integer kernels' scratch is per call).
 */
class SharedIntegerInferenceTest {
    private static List<Tensor> inputs(int... sample) {
        List<Tensor> inputs = new ArrayList<>();
        Generator g = new Generator(8);
        for (int t = 0; t < 8; t++) {
            int[] shape = new int[sample.length + 1];
            shape[0] = 1 + t % 3;
            System.arraycopy(sample, 0, shape, 1, sample.length);
            inputs.add(Tensor.randn(g, shape));
        }
        return inputs;
    }

    @ParameterizedTest
    @ValueSource(ints = {8, 4, 2})
    void lenet5AtEachBitWidth(int bits) throws Exception {
        Module m = CompressedFixtures.lenet5(bits);
        m.eval();
        ConcurrentCalls.assertSameAsSerial("lenet5 W" + bits, m::call, inputs(1, 28, 28), 3);
    }

    @Test
    void int8ResNet20() throws Exception {
        Rng.manualSeed(4);
        Module model = Zoo.create("resnet20");
        model.eval();
        Module m = Conversion.convert(model, TestLayers.all(model, 8));
        ConcurrentCalls.assertSameAsSerial("resnet20 int8", m::call, inputs(3, 32, 32), 2);
    }

    @Test
    void clusteredLenet5() throws Exception {
        Rng.manualSeed(6);
        Module model = Zoo.create("lenet5");
        Clustering.apply(model, 3);
        Module m = Conversion.convert(model);
        m.eval();
        ConcurrentCalls.assertSameAsSerial("lenet5 DP-Net 3-bit", m::call, inputs(1, 28, 28), 3);
    }
}
