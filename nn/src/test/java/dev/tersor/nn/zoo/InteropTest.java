package dev.tersor.nn.zoo;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.nn.Module;
import dev.tersor.nn.StateDictReport;
import dev.tersor.nn.io.Safetensors;
import dev.tersor.nn.io.SafetensorsFile;
import dev.tersor.tensor.Tensor;
import dev.tersor.tensor.testing.Fixtures;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * PyTorch state dicts (nn/src/test/resources/interop/generate_interop.py; F16 weights, I64
 * num_batches_tracked) load into the zoo models by name and give PyTorch's eval-mode logits.
 */
class InteropTest {

    @ParameterizedTest
    @ValueSource(strings = {"lenet5", "lenet5-bn", "resnet20"})
    void pyTorchWeightsGiveThePyTorchLogits(String name) throws Exception {
        SafetensorsFile f;
        try (InputStream in = InteropTest.class.getResourceAsStream("/interop/" + name + ".safetensors")) {
            f = Safetensors.read(in, name);
        }
        Map<String, Tensor> state = new LinkedHashMap<>();
        for (String k : f.names()) if (k.startsWith("model.")) state.put(k, f.tensor(k));
        Module model = Zoo.create(name);
        StateDictReport report = model.loadStateDict(state, true, k -> k.substring("model.".length()));
        assertTrue(report.isClean(), report.toString());
        model.eval();
        Tensor logits;
        try (var g = Tensor.noGrad()) {
            logits = model.call(f.tensor("input"));
        }
        Fixtures.assertClose(f.tensor("logits").toArray(), logits.toArray(), 1e-5, 1e-4, name + " logits");
    }
}
