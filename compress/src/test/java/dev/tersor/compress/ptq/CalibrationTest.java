package dev.tersor.compress.ptq;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.compress.quant.QParams;
import dev.tersor.nn.Conv2d;
import dev.tersor.nn.Linear;
import dev.tersor.nn.Module;
import dev.tersor.nn.ReLU;
import dev.tersor.nn.Sequential;
import dev.tersor.nn.data.DataLoader;
import dev.tersor.nn.data.TensorDataset;
import dev.tersor.nn.zoo.Zoo;
import dev.tersor.tensor.Generator;
import dev.tersor.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class CalibrationTest {

    /** conv(2→2, 1×1, no bias) → relu → flatten-free linear over the last axis (2→3). */
    static Sequential tiny() {
        Conv2d conv = new Conv2d(2, 2, 1, 1, 0, false);
        conv.weight().set(Tensor.fromArray(new float[] {-1f, 0.5f, -0.2f, 0.51f}, 2, 2, 1, 1));
        Linear fc = new Linear(1, 3);
        return new Sequential(conv, new ReLU(), fc);
    }

    private static List<Tensor> batches(float[]... values) {
        return java.util.Arrays.stream(values).map(v -> Tensor.fromArray(v, 1, 2, v.length / 2, 1)).toList();
    }

    @Test
    void weightsPerChannelSymmetricAndInputsFromTheObserver() {
        Sequential m = tiny();
        // conv input values over both batches: min -3, max 5
        PtqResult r = Calibration.run(m, batches(new float[] {1f, -3f, 2f, 0f}, new float[] {5f, 0.5f, -1f, 2f}), PtqConfig.defaults());
        assertEquals(List.of("0", "2"), List.copyOf(r.layers().keySet()));
        assertEquals(2, r.batches());
        assertEquals(2, r.samples());
        PtqLayer conv = r.layer("0");
        QParams w = conv.weightQParams();
        assertEquals(1f / 127.5f, w.scale(0), 1e-9);          // max |W[0]| = 1
        assertEquals(0.51f / 127.5f, w.scale(1), 1e-9);       // max |W[1]| = 0.51
        assertArrayEquals(new int[] {0, 0}, w.zeroPoint());
        QParams in = conv.inputQParams();
        assertEquals(8f / 255f, in.scale(0), 1e-7);           // (5 − (−3)) / 255
        assertEquals(0 - Math.round(-3f / (8f / 255f)), in.zeroPoint(0));   // 96
        assertEquals(96, in.zeroPoint(0));
        assertNull(conv.bias());
        assertEquals(conv.convOptions(), ((Conv2d) m.get("0")).options());
        assertNull(r.layer("2").convOptions());
        assertTrue(m.isTraining(), "training mode restored");
    }

    @Test
    void fourBitWeightsUseTheSmallerRange() {
        PtqResult r = Calibration.run(tiny(), batches(new float[] {1f, 2f}), PtqConfig.defaults().withBits(4, 6));
        assertEquals(1f / 7.5f, r.layer("0").weightQParams().scale(0), 1e-7);   // [-8, 7]: (qmax − qmin)/2 = 7.5
        assertEquals(63, r.layer("0").inputQParams().qmax());
    }

    @Test
    void everyObserverKindGivesARangeInsideTheData() {
        Generator g = new Generator(5);
        List<Tensor> data = List.of(Tensor.randn(g, 8, 2, 32, 1), Tensor.randn(g, 8, 2, 32, 1).mul(2f));
        for (ObserverKind kind : ObserverKind.values()) {
            PtqResult r = Calibration.run(tiny(), data, PtqConfig.defaults().withObserver(kind));
            QParams in = r.layer("0").inputQParams();
            float lo = in.dequantize(in.qmin(), 0), hi = in.dequantize(in.qmax(), 0);
            assertTrue(lo < -1f && hi > 1f && lo >= -9f && hi <= 9f, kind + " covers [" + lo + ", " + hi + "]");
        }
    }

    @Test
    void aDataLoaderAndAChosenLayerWithProgress() {
        Generator g = new Generator(6);
        TensorDataset ds = TensorDataset.of(Tensor.randn(g, 10, 1, 28, 28).toArray(), new int[10], 1, 28, 28);
        DataLoader loader = DataLoader.builder(ds).setBatchSize(4).optPrefetch(0).build();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        PtqResult r = Calibration.run(Zoo.create("lenet5"), loader, PtqConfig.defaults().withLayers(List.of("fc1")).withProgress(out));
        assertEquals(List.of("fc1"), List.copyOf(r.layers().keySet()));
        assertEquals(3, r.batches());
        assertEquals(10, r.samples());
        String log = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains("batch 3, 10 samples") && log.contains("fc1: input range"), log);
    }

    @Test
    void badSettingsAndDataAreNamed() {
        for (int bits : new int[] {0, 1, 9}) {
            IllegalArgumentException w = assertThrows(IllegalArgumentException.class, () -> PtqConfig.defaults().withBits(bits, 8));
            assertTrue(w.getMessage().contains("weightBits") && w.getMessage().contains(Integer.toString(bits)), w.getMessage());
            IllegalArgumentException a = assertThrows(IllegalArgumentException.class, () -> PtqConfig.defaults().withBits(8, bits));
            assertTrue(a.getMessage().contains("activationBits"), a.getMessage());
        }
        Module m = tiny();
        List<Tensor> one = batches(new float[] {1f, 2f});
        IllegalArgumentException path = assertThrows(IllegalArgumentException.class,
                () -> Calibration.run(m, one, PtqConfig.defaults().withLayers(List.of("7"))));
        assertTrue(path.getMessage().contains("PtqConfig.layers") && path.getMessage().contains("'7'"), path.getMessage());
        IllegalArgumentException relu = assertThrows(IllegalArgumentException.class,
                () -> Calibration.run(m, one, PtqConfig.defaults().withLayers(List.of("1"))));
        assertTrue(relu.getMessage().contains("ReLU"), relu.getMessage());
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> Calibration.run(m, List.of(), PtqConfig.defaults()));
        assertTrue(none.getMessage().contains("no batches"), none.getMessage());
        List<Tensor> nan = batches(new float[] {1f, 2f}, new float[] {Float.NaN, 2f});
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> Calibration.run(m, nan, PtqConfig.defaults()));
        assertTrue(bad.getMessage().contains("layer '0'") && bad.getMessage().contains("batch 2"), bad.getMessage());
        // an infinite activation produced inside the model (after the conv) names the linear layer
        List<Tensor> huge = batches(new float[] {-3e38f, 3e38f});
        IllegalArgumentException inf = assertThrows(IllegalArgumentException.class, () -> Calibration.run(m, huge, PtqConfig.defaults()));
        assertTrue(inf.getMessage().contains("layer '2'") && inf.getMessage().contains("batch 1"), inf.getMessage());
        assertTrue(m.isTraining(), "training mode restored after a failure");
    }
}
