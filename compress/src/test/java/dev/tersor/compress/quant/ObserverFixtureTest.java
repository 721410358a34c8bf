package dev.tersor.compress.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tersor.tensor.Tensor;
import dev.tersor.tensor.testing.Fixtures;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Observers against torch.ao's on the same batches (compress/src/test/resources/fixtures/generate_observers.py):
 * the covered range, and scale/zero point for quint8 affine and qint8 symmetric.
 */
class ObserverFixtureTest {
    private static final Fixtures F = Fixtures.load("observers.safetensors");

    private static void check(String name, Supplier<Observer> make) {
        for (int c = 0; c < F.cases(); c++) {
            Observer o = make.get();
            for (int k = 0; k < F.ints(c, "batches")[0]; k++) o.observe(Tensor.fromArray(F.data(c, "batch" + k), F.shape(c, "batch" + k)));
            String what = name + " case " + c + " (" + F.metadata().get(c + ".what") + ")";
            Fixtures.assertClose(F.data(c, name + "_range"), o.range(), 1e-7, 1e-6, what + " range");
            checkQParams(F.data(c, name + "_affine"), o.qparams(QuantScheme.affine(8)), what + " affine");
            checkQParams(F.data(c, name + "_symmetric"), o.qparams(QuantScheme.signed(8, false)), what + " symmetric");
            if (o instanceof HistogramObserver h) {
                Fixtures.assertClose(F.data(c, name + "_hist_range"), h.histogramRange(), 1e-7, 1e-6, what + " histogram range");
                float total = 0;
                for (float v : h.histogram()) total += v;
                assertEquals(F.data(c, name + "_hist_total")[0], total, 1e-3 * Math.max(1, total), what + " histogram total");
            }
        }
    }

    private static void checkQParams(float[] expected, QParams actual, String what) {
        assertEquals(expected[0], actual.scale(0), 1e-6 * expected[0], what + " scale");
        assertEquals((int) expected[1], actual.zeroPoint(0), what + " zero point");
    }

    @Test
    void minMaxMatchesTorch() {
        check("minmax", MinMaxObserver::new);
    }

    @Test
    void movingAverageMatchesTorch() {
        check("ema", MovingAverageMinMaxObserver::new);
        check("ema25", () -> new MovingAverageMinMaxObserver(0.25f));
    }

    @Test
    void histogramMatchesTorch113() {
        check("hist113", () -> new HistogramObserver(2048, 128, 8, HistogramObserver.Edges.TORCH_1_13));
    }

    @Test
    void histogramWithExactEdgesMatchesTorchWithFloatBounds() {
        check("hist", HistogramObserver::new);
    }
}
