package dev.tersor.compress.ptq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.compress.convert.Conversion;
import dev.tersor.compress.quant.BatchNormFolding;
import dev.tersor.nn.Module;
import dev.tersor.nn.data.Mnist;
import dev.tersor.nn.data.Normalize;
import dev.tersor.nn.data.TensorDataset;
import dev.tersor.nn.zoo.Zoo;
import dev.tersor.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The same float weights (LeNet-5 and LeNet-5-BN trained by PyTorch on full MNIST) quantized by
 * Tersor (histogram observer, per-channel int8 weights, per-tensor affine uint8 inputs, batch
 * norm folded, integer kernels) and by torch.ao (FX, engine onednn, its default qconfig
 * mapping), calibrated on the same 2048 images: the same accuracy on the bundled 2000-image
 * test sample within 0.1 points. The reference is made by {@code src/test/resources/ptq/torch_ptq.py}.
 */
class TorchPtqParityTest {
    private static final Normalize MNIST = new Normalize(new float[] {0.1307f}, new float[] {0.3081f});

    private static String fixture(String name) throws IOException {
        try (InputStream in = TorchPtqParityTest.class.getResourceAsStream("/ptq/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static double number(String json, String model, String key) {
        int at = json.indexOf("\"" + model + "\": {");
        Matcher m = Pattern.compile("\"" + key + "\": ([0-9.]+)").matcher(json);
        assertTrue(at >= 0 && m.find(at), model + "." + key + " in torch_ptq.json");
        return Double.parseDouble(m.group(1));
    }

    private static double accuracy(Module model, TensorDataset test) {
        int correct = 0;
        try (var g = Tensor.noGrad()) {
            for (int start = 0; start < test.size(); start += 500) {
                TensorDataset part = test.subset(start, Math.min(test.size(), start + 500));
                Tensor x = MNIST.apply(part.inputs(), null);
                var pred = model.call(x).argmax(1, false);
                for (int i = 0; i < part.size(); i++) if (pred.getFlat(i) == part.labels().getFlat(i)) correct++;
            }
        }
        return (double) correct / test.size();
    }

    @ParameterizedTest
    @ValueSource(strings = {"lenet5", "lenet5-bn"})
    void tersorAndTorchAoAgreeWithinATenthOfAPoint(String name) throws IOException {
        String json = fixture("torch_ptq.json");
        Module model = Zoo.create(name);
        Path weights = Files.createTempFile("torch-", ".safetensors");
        try (InputStream in = TorchPtqParityTest.class.getResourceAsStream("/ptq/" + name + "-torch.safetensors")) {
            Files.copy(in, weights, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        model.load(weights, true);
        Files.delete(weights);
        model.eval();
        TensorDataset test = Mnist.bundledSample(false);
        assertEquals(number(json, name, "float_bundled"), accuracy(model, test), 1e-9, "float accuracy, as PyTorch's");

        Tensor images = MNIST.apply(Mnist.bundledSample(true).subset(0, 2048).inputs(), null);
        BatchNormFolding.fold(model, images.narrow(0, 0, 1));
        List<Tensor> batches = new ArrayList<>();
        for (int i = 0; i < 2048; i += 64) batches.add(images.narrow(0, i, 64));
        PtqResult ptq = Calibration.run(model, batches, PtqConfig.defaults().withObserver(ObserverKind.HISTOGRAM));
        Conversion.convert(model, ptq.layers());
        double tersor = accuracy(model, test), torch = number(json, name, "int8_bundled");
        assertTrue(Math.abs(tersor - torch) <= 0.001 + 1e-9, name + ": Tersor int8 " + tersor + " vs torch.ao " + torch);
    }
}
