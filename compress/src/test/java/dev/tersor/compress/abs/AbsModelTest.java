package dev.tersor.compress.abs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.compress.convert.CompressedConv2d;
import dev.tersor.compress.convert.Conversion;
import dev.tersor.compress.io.CompressedModel;
import dev.tersor.compress.io.SizeReport;
import dev.tersor.compress.quant.QParams;
import dev.tersor.compress.quant.QuantConv2d;
import dev.tersor.compress.quant.QuantLinear;
import dev.tersor.nn.Conv2d;
import dev.tersor.nn.Linear;
import dev.tersor.nn.Module;
import dev.tersor.nn.Rng;
import dev.tersor.nn.data.DataLoader;
import dev.tersor.nn.data.Mnist;
import dev.tersor.nn.data.Normalize;
import dev.tersor.nn.io.Safetensors;
import dev.tersor.nn.io.SafetensorsFile;
import dev.tersor.nn.zoo.Zoo;
import dev.tersor.tensor.Tensor;
import dev.tersor.tensor.testing.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ABS on LeNet-5 with the gates set by hand (conv2 w2 a8 with filters pruned, fc1 w4 a4 with
 * neurons pruned, fc2 w8 a8): the report, the finished QuantConv2d/QuantLinear layers, integer
 * conversion, the compressed file with per-layer bit widths, and that the 0-bit filters contribute
 * nothing.
 */
class AbsModelTest {
    private static final Normalize NORM = new Normalize(new float[] {0.1307f}, new float[] {0.3081f});
    private static final long CONV2 = 16 * 10 * 10 * 150, FC1 = 400 * 120, FC2 = 120 * 84;

    static Tensor digits(int n) {
        return DataLoader.builder(Mnist.bundledSample(false).subset(0, n)).setBatchSize(n).optTransform(NORM).build().iterator().next().inputs();
    }

    private static void set(dev.tersor.nn.Parameter p, float... v) {
        try (var g = Tensor.noGrad()) {
            p.value().copyInPlace(Tensor.fromArray(v, v.length));
        }
    }

    /** The hand-set search state; the same every call. */
    private static Module forced() {
        Rng.manualSeed(21);
        Module m = Zoo.create("lenet5");
        Abs.prepare(m, AbsConfig.builder(1, 28, 28).build());
        Map<String, SuperBitLayer> l = Abs.layers(m);
        set(l.get("conv2").weightQuantizer().theta(), -1, -1);
        set(l.get("conv2").weightQuantizer().threshold(), -0.3f);
        set(l.get("fc1").weightQuantizer().theta(), 1, -1);
        set(l.get("fc1").inputQuantizer().theta(), 1, -1);
        set(l.get("fc1").weightQuantizer().threshold(), 0f);
        try (var g = Tensor.noGrad()) {
            m.call(digits(64));                                   // sets the input clips
        }
        return m;
    }

    @Test
    void prepareSwapsTheInnerLayersAndCountsTheirMacs() {
        Module m = Zoo.create("lenet5");
        AbsReport r = Abs.prepare(m, AbsConfig.builder(1, 28, 28).build());
        assertInstanceOf(Conv2d.class, m.get("conv1"));
        assertInstanceOf(Linear.class, m.get("fc3"));
        assertEquals(List.of("conv2", "fc1", "fc2"), r.layers().stream().map(AbsReport.Layer::path).toList());
        assertEquals(List.of(CONV2, FC1, FC2), r.layers().stream().map(AbsReport.Layer::macs).toList());
        assertEquals((CONV2 + FC1 + FC2) * 64, r.w8a8Bops());
        assertEquals((CONV2 + FC1 + FC2) * 32, r.budgetBops());
        assertEquals(r.w8a8Bops(), r.bops());
        for (AbsReport.Layer l : r.layers()) {
            assertEquals(8, l.weightBits());
            assertEquals(8, l.inputBits());
            assertTrue(l.prunedFilters().isEmpty());
        }
        assertTrue(m.stateDict().keySet().containsAll(List.of("conv2.weight", "conv2.bias", "conv2.weight_quant.alpha", "conv2.weight_quant.theta",
                "conv2.weight_quant.threshold", "conv2.input_quant.alpha", "conv2.input_quant.theta", "fc2.weight_quant.threshold")));
        assertEquals(9, Abs.gateParameters(m).size());
        assertEquals(m.parameters().size() - 9, Abs.weightParameters(m).size());
    }

    /** At W8A8 the BOPs are twice the budget: penalty λ·(2 − 1), and each gate's gradient is what switching it off saves. */
    @Test
    void penaltyAndItsGateGradients() {
        Module m = Zoo.create("lenet5");
        Abs.prepare(m, AbsConfig.builder(1, 28, 28).penaltyWeight(3f).build());
        Tensor p = Abs.penalty(m);
        assertEquals(3f, p.item(), 1e-5f);
        p.backward();
        double budget = (CONV2 + FC1 + FC2) * 32;
        SuperBitLayer conv2 = Abs.layers(m).get("conv2");
        float[] theta = conv2.weightQuantizer().theta().grad().toArray();
        assertEquals(3 * CONV2 * (2 + 4) * 8 / budget, theta[0], 1e-4);      // bits_w = 2 + g_1·2 + g_1·g_2·4
        assertEquals(3 * CONV2 * 4 * 8 / budget, theta[1], 1e-4);
        double slope = 0;                                                     // ∂mean(c)/∂c_k = 1/K, ∂c_k/∂t = −σ'(z_k − t)
        for (float z : SuperBitQuantizer.norms(conv2.weight().value())) {
            double sig = 1 / (1 + Math.exp(-(z - SuperBitQuantizer.THRESHOLD_INIT)));
            slope += sig * (1 - sig) / 16;
        }
        assertTrue(slope > 0);
        assertEquals(-3 * CONV2 * 64 / budget * slope, conv2.weightQuantizer().threshold().grad().item(), 1e-4);
    }

    @Test
    void finishGivesQuantLayersAtTheChosenBitsWithZeroedFilters() {
        Module m = forced();
        Tensor x = digits(32);
        float[] searched;
        try (var g = Tensor.noGrad()) {
            searched = m.call(x).toArray();
        }
        Abs.Result r = Abs.finish(m);
        assertEquals(0, r.report().repairs());
        AbsReport.Layer conv2 = r.report().layer("conv2"), fc1 = r.report().layer("fc1"), fc2 = r.report().layer("fc2");
        assertEquals(List.of(2, 8, 4, 4, 8, 8), List.of(conv2.weightBits(), conv2.inputBits(), fc1.weightBits(), fc1.inputBits(), fc2.weightBits(),
                fc2.inputBits()));
        assertFalse(conv2.prunedFilters().isEmpty());
        assertFalse(fc1.prunedFilters().isEmpty());
        assertTrue(conv2.prunedFilters().size() < 16);
        assertEquals(CONV2 / 16 * (16 - conv2.prunedFilters().size()) * 2 * 8, conv2.bops());
        assertTrue(r.report().meetsBudget(), r.report().toString());

        QuantConv2d q = assertInstanceOf(QuantConv2d.class, m.get("conv2"));
        assertInstanceOf(QuantLinear.class, m.get("fc1"));
        assertEquals(conv2.prunedFilters(), Abs.zeroFilters(q.weight()));
        float[] bias = q.bias().toArray();
        for (int k : conv2.prunedFilters()) assertEquals(0, Float.floatToIntBits(bias[k]));
        QParams wp = q.weightQParams();
        assertEquals(-1, wp.qmin());
        assertEquals(1, wp.qmax());
        assertEquals(0, q.inputQParams().qmin());
        assertEquals(255, q.inputQParams().qmax());
        float[] finished;
        try (var g = Tensor.noGrad()) {
            finished = m.call(x).toArray();
        }
        assertArrayEquals(searched, finished, 2e-3f);        // the same function (input rounding: rint in the finished layers)
    }

    @Test
    void convertedModelSavesPerLayerBitsAndLoadsBack(@TempDir Path dir) throws Exception {
        Module m = Abs.finish(forced()).model();
        Conversion.convert(m);
        CompressedConv2d conv2 = assertInstanceOf(CompressedConv2d.class, m.get("conv2"));
        byte[] q = conv2.integerWeights();
        for (byte v : q) assertTrue(v >= -1 && v <= 1, "ternary weight " + v);
        SizeReport s = SizeReport.of(m, 1, 28, 28);
        Map<String, int[]> bits = new java.util.LinkedHashMap<>();
        for (SizeReport.Row row : s.rows()) bits.put(row.path(), new int[] {row.wbits(), row.abits()});
        assertArrayEquals(new int[] {32, 32}, bits.get("conv1"));
        assertArrayEquals(new int[] {2, 8}, bits.get("conv2"));
        assertArrayEquals(new int[] {4, 4}, bits.get("fc1"));
        assertArrayEquals(new int[] {8, 8}, bits.get("fc2"));
        assertEquals(CONV2 * 2 * 8, s.rows().stream().filter(r -> r.path().equals("conv2")).findFirst().orElseThrow().bops());

        Path file = dir.resolve("lenet5-abs.safetensors");
        CompressedModel.save(m, "lenet5", "abs budget=0.5 (gates set by hand)", file);
        try (SafetensorsFile f = Safetensors.read(file)) {
            assertEquals("2", f.metadata().get("tersor.layer.conv2.wbits"));
            assertEquals("4", f.metadata().get("tersor.layer.fc1.wbits"));
            assertEquals("8", f.metadata().get("tersor.layer.fc2.wbits"));
        }
        Module loaded = CompressedModel.load(file);
        Tensor x = digits(16);
        try (var g = Tensor.noGrad()) {
            assertArrayEquals(m.call(x).toArray(), loaded.call(x).toArray());
        }
        assertTrue(Files.size(file) < 4 * Zoo.create("lenet5").parameterCount());
    }

    /** Zeroing the next layer's inputs from the 0-bit filters changes no output of the integer model: they contribute nothing. */
    @Test
    void prunedFiltersContributeNothing() {
        Abs.Result a = Abs.finish(forced());
        Abs.Result b = Abs.finish(forced());
        List<Integer> conv2 = a.report().layer("conv2").prunedFilters(), fc1 = a.report().layer("fc1").prunedFilters();
        assertEquals(conv2, b.report().layer("conv2").prunedFilters());
        try (var g = Tensor.noGrad()) {
            Tensor w1 = ((QuantLinear) b.model().get("fc1")).weight(), w2 = ((QuantLinear) b.model().get("fc2")).weight();
            for (int k : conv2) for (int i = 0; i < 120; i++) for (int p = 0; p < 25; p++) w1.setInPlace(0f, i, k * 25 + p);   // flatten of [16, 5, 5]
            for (int k : fc1) for (int i = 0; i < 84; i++) w2.setInPlace(0f, i, k);
        }
        Module ca = Conversion.convert(a.model()), cb = Conversion.convert(b.model());
        List<float[]> conv2Out = new ArrayList<>();
        ca.get("conv2").registerForwardHook((mod, in, out) -> {
            conv2Out.add(out.toArray());
            return null;
        });
        Tensor x = digits(24);
        try (var g = Tensor.noGrad()) {
            assertArrayEquals(ca.call(x).toArray(), cb.call(x).toArray());
        }
        float[] out = conv2Out.get(0);
        for (int n = 0; n < 24; n++) for (int k : conv2) for (int p = 0; p < 100; p++) assertEquals(0f, out[(n * 16 + k) * 100 + p]);
    }

    /**
     * The 0-bit filters leave the model: conv2 loses its pruned filters (weights, biases, scales),
     * fc1 the matching 25 inputs each and its own pruned neurons, fc2 those inputs. The integer
     * model computes exactly what the zeroed one did, and the file with the plan loads back.
     */
    @Test
    void zeroBitFiltersArePhysicallyRemovedWithTheSameOutputs(@TempDir Path dir) throws Exception {
        Abs.Result zeroed = Abs.finish(forced()), removed = Abs.finish(forced());
        List<Integer> conv2 = zeroed.report().layer("conv2").prunedFilters(), fc1 = zeroed.report().layer("fc1").prunedFilters();
        FilterRemoval.Result r = FilterRemoval.apply(removed.model(), Tensor.zeros(1, 1, 28, 28));
        assertEquals(Map.of("conv2", conv2.size(), "fc1", fc1.size()), r.removedFilters());
        assertEquals(conv2.size() + fc1.size(), r.total());
        QuantConv2d c2 = assertInstanceOf(QuantConv2d.class, removed.model().get("conv2"));
        QuantLinear f1 = assertInstanceOf(QuantLinear.class, removed.model().get("fc1")), f2 = (QuantLinear) removed.model().get("fc2");
        int keptConv = 16 - conv2.size(), keptFc = 120 - fc1.size();
        assertArrayEquals(new int[] {keptConv, 6, 5, 5}, c2.weight().shape());
        assertArrayEquals(new int[] {keptFc, 25 * keptConv}, f1.weight().shape());
        assertArrayEquals(new int[] {84, keptFc}, f2.weight().shape());
        assertEquals(1, c2.weightQuantizer().qparams().scale().length, "a per-tensor weight grid stays as it was");
        assertTrue(Abs.zeroFilters(c2.weight()).isEmpty(), "no zero filter is left");

        Module a = Conversion.convert(zeroed.model()), b = Conversion.convert(removed.model());
        Tensor x = digits(32);
        try (var g = Tensor.noGrad()) {
            assertArrayEquals(a.call(x).toArray(), b.call(x).toArray(), "integer sums without the zero filters are the same sums");
        }
        Path full = dir.resolve("zeroed.safetensors"), small = dir.resolve("removed.safetensors");
        CompressedModel.save(a, "lenet5", "abs (gates set by hand)", full);
        CompressedModel.save(b, "lenet5", r.plan(), "abs (gates set by hand), 0-bit filters removed", small);
        assertTrue(Files.size(small) < Files.size(full), Files.size(small) + " < " + Files.size(full));
        Module loaded = CompressedModel.load(small);
        try (var g = Tensor.noGrad()) {
            assertArrayEquals(b.call(x).toArray(), loaded.call(x).toArray());
        }
        long macsFull = SizeReport.of(a, 1, 28, 28).rows().stream().mapToLong(SizeReport.Row::macs).sum();
        long macsSmall = SizeReport.of(b, 1, 28, 28).rows().stream().mapToLong(SizeReport.Row::macs).sum();
        assertEquals(macsFull - (long) conv2.size() * (CONV2 / 16) - (long) conv2.size() * 25 * 120
                - (long) fc1.size() * (400 - 25L * conv2.size()) - (long) fc1.size() * 84, macsSmall, "the removed filters' MACs are gone");
    }

    /** Linear(4→3, filter 1 zero, per-filter grid scales) → {@code between} → Linear(3→2). */
    private static Module zeroFilterBefore(Module between) {
        Rng.manualSeed(4);
        Linear first = new Linear(4, 3), last = new Linear(3, 2);
        try (var g = Tensor.noGrad()) {
            for (int i = 0; i < 4; i++) first.weight().value().setInPlace(0f, 1, i);
            first.bias().value().setInPlace(0f, 1);
        }
        QParams grid = new QParams(new float[] {0.05f, 0.06f, 0.07f}, new int[3], -127, 127);
        return new dev.tersor.nn.Sequential(new QuantLinear(first, new GridQuantizer(grid, 8), null), between, last);
    }

    @Test
    void perFilterScalesOfRemovedFiltersGoWithThem() {
        Module model = zeroFilterBefore(new dev.tersor.nn.ReLU());
        Tensor x = Tensor.randn(new dev.tersor.tensor.Generator(5), 6, 4);
        float[] before;
        try (var g = Tensor.noGrad()) {
            before = model.call(x).toArray();
        }
        FilterRemoval.Result r = FilterRemoval.apply(model, Tensor.zeros(1, 4));
        assertEquals(Map.of("0", 1), r.removedFilters());
        QuantLinear q = assertInstanceOf(QuantLinear.class, model.get("0"));
        assertArrayEquals(new float[] {0.05f, 0.07f}, q.weightQuantizer().qparams().scale());
        assertArrayEquals(new int[] {2, 4}, q.weight().shape());
        assertArrayEquals(new int[] {2, 2}, ((Linear) model.get("2")).weight().value().shape());
        try (var g = Tensor.noGrad()) {
            Fixtures.assertClose(before, model.call(x).toArray(), 1e-6, 1e-6, "same outputs");
        }
    }

    /** A zero filter whose channel is not 0 downstream (here through a sigmoid) cannot go: a clear error, the model as it was. */
    @Test
    void removalThatWouldChangeOutputsFailsAndRestoresTheModel() {
        Module model = zeroFilterBefore(new dev.tersor.nn.Sigmoid());
        Map<String, Module> before = new java.util.LinkedHashMap<>(model.namedModules());
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () -> FilterRemoval.apply(model, Tensor.zeros(1, 4)));
        assertTrue(e.getMessage().contains("changed the model's outputs"), e.getMessage());
        for (var m : before.entrySet()) org.junit.jupiter.api.Assertions.assertSame(m.getValue(), model.namedModules().get(m.getKey()), m.getKey());
    }

    /** Over budget at the end: the top gates with the smallest θ go first (conv2 w 8→4, fc1 w 8→4, conv2 w 4→2). */
    @Test
    void finishRepairsAnOverBudgetSearchSmallestThetaFirst() {
        Module m = Zoo.create("lenet5");
        Abs.prepare(m, AbsConfig.builder(1, 28, 28).pruneFilters(false).build());
        set(Abs.layers(m).get("conv2").weightQuantizer().theta(), 1, 0.2f);
        set(Abs.layers(m).get("fc1").weightQuantizer().theta(), 1, 0.5f);
        try (var g = Tensor.noGrad()) {
            m.call(digits(8));
        }
        assertFalse(Abs.report(m).meetsBudget());
        AbsReport r = Abs.finish(m).report();
        assertEquals(3, r.repairs());
        assertEquals(List.of(2, 4, 8), r.layers().stream().map(AbsReport.Layer::weightBits).toList());
        assertEquals(List.of(8, 8, 8), r.layers().stream().map(AbsReport.Layer::inputBits).toList());
        assertEquals(CONV2 * 16 + FC1 * 32 + FC2 * 64, r.bops());
        assertTrue(r.meetsBudget());
    }
}
