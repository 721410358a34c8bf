package dev.tersor.nn.zoo;

import dev.tersor.nn.Module;
import dev.tersor.nn.Rng;
import dev.tersor.tensor.ConcurrentCalls;
import dev.tersor.tensor.Generator;
import dev.tersor.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every zoo model in eval mode shared by 8 threads, each running its own inputs (batches of 1 to
 * 3) at the same time: every output equals the serial call's bit for bit, so no layer keeps
 * per-call state in fields and the kernels' scratch space is per call.
 */
class SharedInferenceTest {
    /**
     * Every zoo model, {@code drn-s} included: its channel attention's sigmoid is bit-stable since
     * the vector backend's exp no longer calls the platform math library (whose results changed in
     * the last bit once C2 compiled the loop; see {@code VectorMath}).
     */
    static Stream<String> models() {
        return Zoo.names().stream();
    }

    /** 8 inputs for {@code info}'s model: batches of 1 to 3 (super-resolution models: 12×12 RGB). */
    static List<Tensor> inputs(ModelInfo info) {
        int[] shape = info.isClassifier() ? info.inputShape() : new int[] {3, 12, 12};
        List<Tensor> inputs = new ArrayList<>();
        Generator g = new Generator(5);
        for (int t = 0; t < 8; t++) {
            int[] batch = new int[shape.length + 1];
            batch[0] = 1 + t % 3;
            System.arraycopy(shape, 0, batch, 1, shape.length);
            inputs.add(Tensor.randn(g, batch));
        }
        return inputs;
    }

    @ParameterizedTest
    @MethodSource("models")
    void eightThreadsGetTheSerialOutputsBitForBit(String name) throws Exception {
        ModelInfo info = Zoo.info(name);
        Rng.manualSeed(11);
        Module model = info.create();
        model.eval();
        ConcurrentCalls.assertSameAsSerial(name, model::call, inputs(info), 3);
    }
}
