package dev.tersor.compress.ptq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.compress.quant.QParams;
import dev.tersor.nn.Conv2d;
import dev.tersor.nn.Flatten;
import dev.tersor.nn.Linear;
import dev.tersor.nn.Module;
import dev.tersor.nn.ReLU;
import dev.tersor.nn.Sequential;
import dev.tersor.tensor.Generator;
import dev.tersor.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Simulated layers against a brute-force conv(fq(x), fq(W)) + b. */
class SimulationTest {

    @Test
    void simulatedModelComputesConvOfFakeQuantizedInputAndWeights() {
        dev.tersor.nn.Rng.manualSeed(11);   // the layers' initial weights: the same model on every run
        Generator g = new Generator(11);
        Conv2d conv = new Conv2d(2, 3, 3, 1, 1);
        Linear fc = new Linear(3 * 4 * 4, 5);
        Module model = new Sequential(conv, new ReLU(), new Flatten(), fc);
        Module original = model.get("0");
        List<Tensor> data = List.of(Tensor.randn(g, 4, 2, 4, 4), Tensor.randn(g, 4, 2, 4, 4));
        Tensor x = Tensor.randn(g, 3, 2, 4, 4).mul(1.2f);
        Tensor floatOut;
        try (var ng = Tensor.noGrad()) {
            floatOut = model.call(x);
        }
        PtqResult r = Calibration.run(model, data, PtqConfig.defaults().withObserver(ObserverKind.HISTOGRAM));
        assertSame(model, Ptq.simulate(model, r));
        assertInstanceOf(SimulatedLayer.class, model.get("0"));
        assertInstanceOf(SimulatedLayer.class, model.get("3"));
        Tensor simOut;
        try (var ng = Tensor.noGrad()) {
            simOut = model.call(x);
        }

        // brute force
        PtqLayer c = r.layer("0"), f = r.layer("3");
        float[] xq = Naive.fakeQuant(x.toArray(), c.inputQParams());
        float[] wq = Naive.fakeQuant(c.weight().toArray(), c.weightQParams());
        double[] h = Naive.conv(xq, 3, 2, 4, 4, wq, 3, 3, 3, c.bias().toArray(), 1);
        float[] hr = new float[h.length];
        for (int i = 0; i < h.length; i++) hr[i] = (float) Math.max(0, h[i]);
        float[] hq = Naive.fakeQuant(hr, f.inputQParams());
        double[] y = Naive.linear(hq, 3, 48, Naive.fakeQuant(f.weight().toArray(), f.weightQParams()), 5, f.bias().toArray());
        float[] s = simOut.toArray(), fo = floatOut.toArray();
        double diff = 0, scale = 0;
        for (int i = 0; i < y.length; i++) {
            assertEquals(y[i], s[i], 1e-4, "output " + i);
            diff = Math.max(diff, Math.abs(fo[i] - s[i]));
            scale = Math.max(scale, Math.abs(fo[i]));
        }
        // x reaches 1.2× past the 8 calibration samples and the histogram search clips hard on so few: noise up to
        // 14% of the outputs' range here (seeded); garbage would be of the order of the range itself
        assertTrue(diff > 1e-4 && diff < 0.25 * scale, "simulation differs from float by quantization noise only: " + diff + " of " + scale);
        assertThrows(IllegalArgumentException.class, () -> Ptq.simulate(model, r), "already simulated");
        assertTrue(model.stateDict().containsKey("0.weight"), "simulated layers keep the float keys");

        Ptq.restore(model);
        assertSame(original, model.get("0"));
        try (var ng = Tensor.noGrad()) {
            float[] back = model.call(x).toArray();
            for (int i = 0; i < back.length; i++) assertEquals(fo[i], back[i], 0f);
        }
    }

    /** Weight-only ({@code activationBits} 32): no input parameters, and the simulation is the float input against fq(W). */
    @Test
    void weightOnlyKeepsTheInputFloat() {
        dev.tersor.nn.Rng.manualSeed(13);
        Generator g = new Generator(13);
        Module model = new Sequential(new Linear(6, 4), new ReLU(), new Linear(4, 3));
        PtqConfig config = PtqConfig.defaults().withBits(4, PtqConfig.WEIGHT_ONLY);
        assertTrue(config.weightOnly());
        PtqResult r = Calibration.run(model, List.of(Tensor.randn(g, 5, 6)), config);
        PtqLayer a = r.layer("0"), b = r.layer("2");
        assertEquals(null, a.inputQParams());
        Tensor x = Tensor.randn(g, 2, 6);
        Ptq.simulate(model, r);
        float[] sim;
        try (var ng = Tensor.noGrad()) {
            sim = model.call(x).toArray();
        }
        double[] h = Naive.linear(x.toArray(), 2, 6, Naive.fakeQuant(a.weight().toArray(), a.weightQParams()), 4, a.bias().toArray());
        float[] hr = new float[h.length];
        for (int i = 0; i < h.length; i++) hr[i] = (float) Math.max(0, h[i]);
        double[] y = Naive.linear(hr, 2, 4, Naive.fakeQuant(b.weight().toArray(), b.weightQParams()), 3, b.bias().toArray());
        for (int i = 0; i < y.length; i++) assertEquals(y[i], sim[i], 1e-5, "output " + i);
        assertThrows(IllegalStateException.class, config::activationScheme);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PtqConfig.defaults().withBits(8, 16));
        assertEquals("PtqConfig: activationBits must be between 2 and 8 (or 32: weight-only), got 16", e.getMessage());
    }

    @Test
    void fakeQuantizedWeightIsOnTheIntegerGrid() {
        dev.tersor.nn.Rng.manualSeed(12);
        PtqResult r = Calibration.run(new Sequential(new Linear(6, 2)), List.of(Tensor.randn(new Generator(3), 4, 6)), PtqConfig.defaults());
        PtqLayer l = r.layer("0");
        QParams qp = l.weightQParams();
        float[] w = l.weight().toArray(), wq = l.fakeQuantizedWeight().toArray();
        for (int i = 0; i < w.length; i++) {
            int ch = i / 6;
            double k = wq[i] / qp.scale(ch);
            assertEquals(Math.rint(k), k, 1e-3, "integer multiple of the channel scale");
            assertTrue(Math.abs(w[i] - wq[i]) <= qp.scale(ch) / 2 + 1e-7, "within half a step");
        }
    }
}
