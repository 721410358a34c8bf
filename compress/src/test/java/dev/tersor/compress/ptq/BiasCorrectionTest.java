package dev.tersor.compress.ptq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.nn.Conv2d;
import dev.tersor.nn.Linear;
import dev.tersor.nn.Module;
import dev.tersor.nn.Sequential;
import dev.tersor.tensor.Generator;
import dev.tersor.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Empirical bias correction removes a planted systematic weight-rounding error. */
class BiasCorrectionTest {
    private static final float S = 1f / 128;   // the planted per-channel weight scale

    /**
     * Linear(16 → 4) whose weights sit at s·(m + 0.4) (each rounds down by 0.4·s) plus one
     * element 127.5·s per row that fixes the scale at s (it clamps from 128 to 127: 0.5·s).
     */
    private static Linear planted(Generator g) {
        float[] w = new float[4 * 16];
        float[] m = Tensor.rand(g, w.length).toArray();
        for (int i = 0; i < w.length; i++) w[i] = S * (Math.round(m[i] * 200 - 100) + 0.4f);
        for (int k = 0; k < 4; k++) w[k * 16] = 127.5f * S;
        Linear fc = new Linear(16, 4);
        fc.weight().set(Tensor.fromArray(w, 4, 16));
        return fc;
    }

    private static List<Tensor> positive(Generator g, int batches) {
        List<Tensor> out = new ArrayList<>();
        for (int b = 0; b < batches; b++) out.add(Tensor.rand(g, 64, 16).add(1f));   // U(1, 2): mean 1.5
        return out;
    }

    private static double[] meanError(Module floatModel, Module simulated, List<Tensor> data) {
        double[] e = new double[4];
        int n = 0;
        try (var ng = Tensor.noGrad()) {
            for (Tensor x : data) {
                float[] a = floatModel.call(x).toArray(), b = simulated.call(x).toArray();
                for (int i = 0; i < a.length; i++) e[i % 4] += a[i] - b[i];
                n += x.size(0);
            }
        }
        for (int k = 0; k < 4; k++) e[k] /= n;
        return e;
    }

    @Test
    void correctionIsTheMeanOutputErrorAndRemovesIt() {
        Generator g = new Generator(21);
        Linear fc = planted(g);
        Module model = new Sequential(fc);
        List<Tensor> calibration = positive(g, 4), heldOut = positive(g, 8);
        PtqResult plain = Calibration.run(model, calibration, PtqConfig.defaults());
        PtqResult corrected = Calibration.run(model, calibration, PtqConfig.defaults().withBiasCorrection(true));
        assertEquals(S, plain.layer("0").weightQParams().scale(0), 0f, "the planted scale");

        // golden: Σ_j (W − Ŵ)[k, j] · mean_x[j] over the calibration inputs, in double
        float[] w = fc.weight().value().toArray(), wq = plain.layer("0").fakeQuantizedWeight().toArray();
        double[] meanX = new double[16];
        int n = 0;
        for (Tensor x : calibration) {
            float[] v = x.toArray();
            for (int i = 0; i < v.length; i++) meanX[i % 16] += v[i];
            n += x.size(0);
        }
        float[] b0 = fc.bias().value().toArray(), b1 = corrected.layer("0").bias().toArray();
        for (int k = 0; k < 4; k++) {
            double c = 0;
            for (int j = 0; j < 16; j++) c += (w[k * 16 + j] - wq[k * 16 + j]) * (meanX[j] / n);
            assertEquals(b0[k] + c, b1[k], 1e-5, "corrected bias " + k);
            assertTrue(c > 0.4 * S * 16 * 1.4, "a planted positive error of about 0.4·s·Σx̄: " + c);
        }

        Sequential floatCopy = new Sequential(fc);
        double[] before = meanError(floatCopy, Ptq.simulate(new Sequential(fc), plain), heldOut);
        double[] after = meanError(floatCopy, Ptq.simulate(new Sequential(fc), corrected), heldOut);
        for (int k = 0; k < 4; k++) {
            assertTrue(before[k] > 0.05, "systematic error before: " + before[k]);
            assertTrue(Math.abs(after[k]) < 0.1 * before[k], "channel " + k + ": " + before[k] + " -> " + after[k]);
        }
    }

    @Test
    void convolutionCorrectionAveragesOverSamplesAndPositions() {
        Generator g = new Generator(22);
        Conv2d conv = new Conv2d(2, 3, 3, 1, 1, false);     // no bias: correction creates one
        Module model = new Sequential(conv);
        List<Tensor> data = List.of(Tensor.rand(g, 2, 2, 5, 5).add(0.5f), Tensor.rand(g, 3, 2, 5, 5).add(0.5f));
        PtqResult r = Calibration.run(model, data, PtqConfig.defaults().withBits(4, 8).withBiasCorrection(true));
        PtqLayer l = r.layer("0");
        float[] w = l.weight().toArray(), wq = l.fakeQuantizedWeight().toArray(), dw = new float[w.length];
        for (int i = 0; i < w.length; i++) dw[i] = w[i] - wq[i];
        double[] sum = new double[3];
        int positions = 0;
        for (Tensor x : data) {
            int n = x.size(0);
            double[] y = Naive.conv(x.toArray(), n, 2, 5, 5, dw, 3, 3, 3, null, 1);
            for (int i = 0; i < y.length; i++) sum[(i / 25) % 3] += y[i];
            positions += n * 25;
        }
        float[] b = l.bias().toArray();
        for (int k = 0; k < 3; k++) assertEquals(sum[k] / positions, b[k], 1e-6, "bias " + k);
        assertTrue(conv.bias() == null, "the float layer is untouched");
    }
}
