package dev.tersor.nn.zoo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.nn.Module;
import dev.tersor.nn.Summary;
import dev.tersor.tensor.Tensor;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ZooTest {

    /** Parameter counts of the reference PyTorch definitions (EDSR counts its two frozen mean shifts, 24 values, as PyTorch does). */
    @ParameterizedTest
    @CsvSource({"lenet5, 61706", "lenet5-bn, 62158", "mlp, 535818", "resnet20, 269722", "resnet20-fashion, 269434", "resnet32, 464154",
        "resnet44, 658586", "resnet56, 853018", "resnet110, 1727962", "vgg-small, 4660106", "edsr, 1369883", "edsr-ghost, 788251"})
    void parameterCountsMatchTheReferenceModels(String name, long params) {
        assertEquals(params, Zoo.create(name).parameterCount());
    }

    @Test
    void outputsHaveTheDocumentedShapes() {
        try (var g = Tensor.noGrad()) {
            assertArrayEquals(new int[] {2, 10}, Zoo.create("lenet5").eval().call(Tensor.zeros(2, 1, 28, 28)).shape());
            assertArrayEquals(new int[] {2, 10}, Zoo.create("mlp").eval().call(Tensor.zeros(2, 1, 28, 28)).shape());
            assertArrayEquals(new int[] {2, 10}, Zoo.create("resnet20").eval().call(Tensor.zeros(2, 3, 32, 32)).shape());
            assertArrayEquals(new int[] {2, 10}, Zoo.create("resnet20-fashion").eval().call(Tensor.zeros(2, 1, 28, 28)).shape());
            assertArrayEquals(new int[] {1, 10}, Zoo.create("vgg-small").eval().call(Tensor.zeros(1, 3, 32, 32)).shape());
            Module edsr = new Edsr(3, 2, 8, 1f, 255f);
            assertArrayEquals(new int[] {1, 3, 15, 18}, edsr.call(Tensor.zeros(1, 3, 5, 6)).shape());
            assertArrayEquals(new int[] {1, 3, 20, 24}, new Edsr(4, 1, 8, 1f, 255f).call(Tensor.zeros(1, 3, 5, 6)).shape());
        }
    }

    @Test
    void resNetKeysFollowThePyTorchDefinition() {
        var keys = Zoo.create("resnet20").stateDict().keySet();
        assertTrue(keys.contains("layer2.0.bn1.running_var"));
        assertTrue(keys.contains("layer3.2.conv2.weight"));
        assertTrue(keys.contains("linear.bias"));
        assertTrue(!keys.contains("layer2.0.shortcut.weight"), "option-A shortcuts have no parameters");
    }

    @Test
    void unknownNamesListTheValidOnes() {
        var e = assertThrows(IllegalArgumentException.class, () -> Zoo.create("resnet18"));
        assertTrue(e.getMessage().contains("resnet20") && e.getMessage().contains("lenet5"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new CifarResNet(21, 10));
    }

    @Test
    void summaryCountsParametersAndMacs() {
        Summary s = Summary.of(Zoo.create("lenet5"), 1, 28, 28);
        assertEquals(61706, s.totalParameters());
        // conv1 6·28·28·25 + conv2 16·10·10·150 + fc 400·120 + 120·84 + 84·10
        assertEquals(117600 + 240000 + 48000 + 10080 + 840, s.totalMacs());
        assertTrue(s.toString().contains("conv2") && s.toString().contains("[1, 16, 10, 10]"), s.toString());
        assertEquals(40_551_040L, Summary.of(Zoo.create("resnet20"), 3, 32, 32).totalMacs());
    }

    @Test
    void binaryAndAdderLayersCountTheOperationsThatReplaceMultiplyAccumulates() {
        // the same layer shapes as lenet5-bn: every row keeps its MAC count, only the kind of operation changes
        long[] bn = Summary.of(Zoo.create("lenet5-bn"), 1, 28, 28).rows().stream()
                .filter(r -> r.macs() > 0).mapToLong(Summary.Row::macs).toArray();
        assertArrayEquals(new long[] {117600, 240000, 48000, 10080, 840}, bn);
        for (String name : new String[] {"lenet5-binary", "lenet5-adder"}) {
            Summary s = Summary.of(Zoo.create(name), 1, 28, 28);
            assertArrayEquals(bn, s.rows().stream().filter(r -> r.macs() > 0).mapToLong(Summary.Row::macs).toArray(), name);
        }
        // a transposed convolution: every input value meets out·kh·kw weights
        Summary t = Summary.of(new dev.tersor.nn.ConvTranspose2d(4, 3, 2, 2, 0), 4, 5, 5);
        assertEquals(4L * 5 * 5 * 3 * 2 * 2, t.totalMacs());
    }

    @Test
    void saveAndLoadRoundTrip(@TempDir Path dir) throws Exception {
        Module a = Zoo.create("lenet5-bn"), b = Zoo.create("lenet5-bn");
        Path file = dir.resolve("w.safetensors");
        a.save(file);
        assertTrue(b.load(file, true).isClean());
        Tensor x = Tensor.randn(new dev.tersor.tensor.Generator(1), 2, 1, 28, 28);
        a.eval();
        b.eval();
        assertArrayEquals(a.call(x).toArray(), b.call(x).toArray());
        var e = assertThrows(IllegalArgumentException.class, () -> Zoo.create("lenet5").load(file, true));
        assertTrue(e.getMessage().contains("bn1.weight") && e.getMessage().contains("unexpected"), e.getMessage());
    }
}
