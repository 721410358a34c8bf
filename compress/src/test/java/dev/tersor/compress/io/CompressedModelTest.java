package dev.tersor.compress.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.compress.convert.CompressedFixtures;
import dev.tersor.compress.convert.CompressedConv2d;
import dev.tersor.compress.convert.CompressedLinear;
import dev.tersor.nn.Identity;
import dev.tersor.nn.Module;
import dev.tersor.nn.io.DType;
import dev.tersor.nn.io.Safetensors;
import dev.tersor.nn.io.SafetensorsFile;
import dev.tersor.nn.io.SafetensorsFormatException;
import dev.tersor.nn.io.SafetensorsWriter;
import dev.tersor.tensor.Generator;
import dev.tersor.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompressedModelTest {
    @TempDir
    Path dir;

    private static Tensor input() {
        return Tensor.randn(new Generator(7), 3, 1, 28, 28);
    }

    private static Tensor run(Module m) {
        try (var g = Tensor.noGrad()) {
            return m.call(input());
        }
    }

    @Test
    void roundTripIsBitExactAt8And4Bits() throws IOException {
        for (int bits : new int[] {8, 4, 2}) {
            Module model = CompressedFixtures.lenet5(bits);
            Path file = dir.resolve("lenet5-w" + bits + ".safetensors");
            CompressedModel.save(model, "lenet5", "test w" + bits, file);
            Module loaded = CompressedModel.load(file);
            assertArrayEquals(run(model).toArray(), run(loaded).toArray(), "w" + bits + " outputs");
            for (String p : new String[] {"conv1", "conv2"}) {
                assertArrayEquals(((CompressedConv2d) model.get(p)).integerWeights(), ((CompressedConv2d) loaded.get(p)).integerWeights(), p);
            }
            for (String p : new String[] {"fc1", "fc2", "fc3"}) {
                assertArrayEquals(((CompressedLinear) model.get(p)).integerWeights(), ((CompressedLinear) loaded.get(p)).integerWeights(), p);
                assertEquals(((CompressedLinear) model.get(p)).inputQParams(), ((CompressedLinear) loaded.get(p)).inputQParams(), p);
            }
            assertTrue(CompressedModel.isCompressed(file));
        }
    }

    @Test
    void fileSizeIsTheTrueBitWidthsPlusTheHeader() throws IOException {
        for (int bits : new int[] {8, 4, 2}) {
            Module model = CompressedFixtures.lenet5(bits);
            Path file = dir.resolve("w" + bits + ".safetensors");
            CompressedModel.save(model, "lenet5", "", file);
            // lenet5: weights 150, 2400, 48000, 10080, 840; biases 6, 16, 120, 84, 10 (float32 each, as are the scales)
            long[] weights = {150, 2400, 48000, 10080, 840};
            long[] channels = {6, 16, 120, 84, 10};
            long trueBits = 0;
            for (int i = 0; i < weights.length; i++) trueBits += weights[i] * bits + 2 * 32 * channels[i];
            long header;
            try (SafetensorsFile f = Safetensors.read(file)) {
                header = 8 + headerLength(file);
                assertEquals("lenet5", CompressedModel.architecture(f));
            }
            long data = Files.size(file) - header;
            assertTrue(data <= Math.ceil(trueBits / 8.0 * 1.01) && data >= trueBits / 8, "w" + bits + ": data " + data + " B, true " + trueBits / 8);
            SizeReport r = SizeReport.of(CompressedModel.load(file), 1, 28, 28);
            assertEquals(data, r.storedBytes(), 5 * 1, "report vs file, w" + bits);   // per-tensor byte rounding of packed weights
            assertEquals(4L * 61706, r.floatBytes());
        }
    }

    private static long headerLength(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        return b.getLong(0);
    }

    @Test
    void clusteredModelsRoundTripAsCodebooksAndShrinkNineFold() throws IOException {
        dev.tersor.nn.Rng.manualSeed(5);
        Module model = dev.tersor.nn.zoo.Zoo.create("lenet5");
        Path plain = dir.resolve("float.safetensors");
        model.save(plain);
        dev.tersor.compress.cluster.Clustering.apply(model, 3);
        Module converted = dev.tersor.compress.convert.Conversion.convert(model);
        Path file = dir.resolve("dp3.safetensors");
        CompressedModel.save(converted, "lenet5", "dpnet bits=3", file);
        Module loaded = CompressedModel.load(file);
        assertArrayEquals(run(converted).toArray(), run(loaded).toArray());
        assertTrue(Files.size(plain) >= 9 * Files.size(file), Files.size(plain) + " vs " + Files.size(file));
        SizeReport r = SizeReport.of(loaded, 1, 28, 28);
        assertEquals(3, r.rows().get(0).wbits());
        assertEquals(32, r.rows().get(0).abits());
    }

    @Test
    void searchedLowBitModelsRoundTripAsCodebooks() throws IOException {
        dev.tersor.nn.Rng.manualSeed(6);
        Module model = dev.tersor.compress.slb.Slb.prepare(dev.tersor.nn.zoo.Zoo.create("lenet5"),
                dev.tersor.compress.slb.SlbConfig.bits(2).withInit(dev.tersor.compress.slb.SlbInit.FROM_WEIGHTS));
        Tensor expected = run(model.eval());
        Module converted = dev.tersor.compress.convert.Conversion.convert(model);
        assertArrayEquals(expected.toArray(), run(converted).toArray(), "codebook layers compute the argmax weights");
        Path file = dir.resolve("slb2.safetensors");
        CompressedModel.save(converted, "lenet5", "slb bits=2", file);
        assertArrayEquals(expected.toArray(), run(CompressedModel.load(file)).toArray());
        SizeReport r = SizeReport.of(CompressedModel.load(file), 1, 28, 28);
        assertEquals(32, r.rows().get(0).wbits(), "conv1 stays float");
        assertEquals(2, r.rows().get(1).wbits());
    }

    @Test
    void foldedModulesComeBackAsIdentity() throws IOException {
        Module model = CompressedFixtures.lenet5(8);
        Module bn = dev.tersor.nn.zoo.Zoo.create("lenet5-bn");
        bn.replace("bn1", new Identity());
        Path file = dir.resolve("bn.safetensors");
        CompressedModel.save(bn, "lenet5-bn", "", file);
        Module loaded = CompressedModel.load(file);
        assertInstanceOf(Identity.class, loaded.get("bn1"));
        assertArrayEquals(run(bn.eval()).toArray(), run(loaded).toArray());
        assertTrue(model.get("conv1") instanceof PackedLayer);
    }

    @Test
    void saveRejectsAModelOfAnotherArchitecture() {
        Module model = CompressedFixtures.lenet5(8);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CompressedModel.save(model, "lenet5-bn", "", dir.resolve("x.safetensors")));
        assertTrue(e.getMessage().contains("lenet5-bn"), e.getMessage());
    }

    /** Rewrites a good file with changed metadata or tensors, then expects a format error naming {@code expected}. */
    private void corrupt(String expected, Consumer<Map<String, String>> meta, Consumer<Map<String, Entry>> tensors) throws IOException {
        Path good = dir.resolve("good.safetensors");
        CompressedModel.save(CompressedFixtures.lenet5(4), "lenet5", "", good);
        Map<String, String> m;
        Map<String, Entry> t = new LinkedHashMap<>();
        try (SafetensorsFile f = Safetensors.read(good)) {
            m = new LinkedHashMap<>(f.metadata());
            for (String n : f.names()) {
                ByteBuffer b = f.bytes(n);
                byte[] bytes = new byte[b.remaining()];
                b.get(bytes);
                t.put(n, new Entry(f.dtype(n), f.shape(n), bytes));
            }
        }
        meta.accept(m);
        tensors.accept(t);
        SafetensorsWriter w = new SafetensorsWriter().metadata(m);
        t.forEach((n, e) -> w.add(n, e.dtype, e.shape, out -> out.write(e.bytes)));
        Path bad = dir.resolve("bad.safetensors");
        w.write(bad);
        SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class, () -> CompressedModel.load(bad));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertTrue(e.getMessage().startsWith(bad.toString()), e.getMessage());
    }

    private record Entry(DType dtype, int[] shape, byte[] bytes) {
    }

    @Test
    void corruptFilesFailNamingWhatIsWrong() throws IOException {
        corrupt("tersor.model", m -> m.remove("tersor.model"), t -> { });
        corrupt("unknown architecture \"lenet9\"", m -> m.put("tersor.model", "lenet9"), t -> { });
        corrupt("not a compressed model file", m -> m.remove("tersor.format"), t -> { });
        corrupt("unknown kind \"int3\"", m -> m.put("tersor.layer.conv1.kind", "int3"), t -> { });
        corrupt("'conv9'", m -> m.put("tersor.layers", m.get("tersor.layers") + ",conv9"), t -> { });
        corrupt("empty or repeated", m -> m.put("tersor.layers", "conv1,conv1"), t -> { });
        corrupt("wbits = 9", m -> m.put("tersor.layer.conv2.wbits", "9"), t -> { });
        corrupt("wrange", m -> m.put("tersor.layer.conv2.wrange", "-100,100"), t -> { });
        corrupt("input", m -> m.put("tersor.layer.fc1.input", "0.1,3,0"), t -> { });
        corrupt("scale", m -> m.put("tersor.layer.fc1.input", "-0.1,3,0,255"), t -> { });
        corrupt("conv2.weight_q", m -> { }, t -> t.put("conv2.weight_q", new Entry(DType.U8, new int[] {7}, new byte[7])));
        corrupt("conv1.weight_scale is missing", m -> { }, t -> t.remove("conv1.weight_scale"));
        corrupt("fc1.weight_scale", m -> { }, t -> t.put("fc1.weight_scale", new Entry(DType.F32, new int[] {1}, new byte[4])));
        corrupt("scale", m -> { }, t -> t.put("fc3.weight_scale", new Entry(DType.F32, new int[] {10}, new byte[40])));
        corrupt("float tensors do not fit", m -> { }, t -> t.put("extra", new Entry(DType.F32, new int[] {1}, new byte[4])));
    }
}
