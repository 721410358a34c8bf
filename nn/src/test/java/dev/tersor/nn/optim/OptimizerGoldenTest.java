package dev.tersor.nn.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tersor.nn.Parameter;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Five steps of every optimizer variant against PyTorch 1.13 (float64 reference, float32 here). */
class OptimizerGoldenTest {
    static final double REL = 1e-6;

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.tersor.nn.optim.OptimizerCases#all")
    void followsPyTorchTrajectory(OptimizerCases.Case c) {
        Golden golden = Golden.load();
        Map<String, Parameter> params = new LinkedHashMap<>();
        for (String n : c.params()) params.put(n, golden.parameter(n));
        Optimizer<?> opt = c.make().apply(params);
        for (int step = 1; step <= Golden.STEPS; step++) {
            for (var e : params.entrySet()) golden.setGrad(e.getValue(), e.getKey(), step);
            opt.step();
            for (var e : params.entrySet()) {
                String key = c.name() + "/" + e.getKey() + "/" + step;
                Golden.assertClose(golden.expected.get(key), e.getValue().value().toArray(), REL, key);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.tersor.nn.optim.OptimizerCases#all")
    void countsStepsOnlyWhenTheParameterHasAGradient(OptimizerCases.Case c) {
        Golden golden = Golden.load();
        Map<String, Parameter> params = new LinkedHashMap<>();
        for (String n : c.params()) params.put(n, golden.parameter(n));
        Optimizer<?> opt = c.make().apply(params);
        for (int step = 1; step <= Golden.STEPS; step++) {
            for (var e : params.entrySet()) golden.setGrad(e.getValue(), e.getKey(), step);
            opt.step();
        }
        if (opt instanceof Sgd) return;   // SGD keeps no step count
        int index = 0;
        for (String n : params.keySet()) {
            long withGrad = 0;
            for (int step = 1; step <= Golden.STEPS; step++) if (golden.grads.containsKey(n + "/" + step)) withGrad++;
            assertEquals(withGrad, opt.state(index++).step(), n);
        }
    }
}
