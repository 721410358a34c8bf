package dev.tersor.compress.distill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.tensor.IntTensor;
import dev.tersor.tensor.Tensor;
import dev.tersor.tensor.testing.Fixtures;
import org.junit.jupiter.api.Test;

class KdLossTest {
    /** Loss and gradient against PyTorch 1.13: α·T²·kl_div(log_softmax(s/T), softmax(t/T), 'batchmean') + (1 − α)·CE. */
    @Test
    void matchesPyTorchFixture() {
        Fixtures f = Fixtures.load("distill.safetensors");
        int checked = 0;
        for (int c = 0; c < f.cases(); c++) {
            if (!f.param(c, "op").equals("kd")) continue;
            int[] shape = f.shape(c, "student");
            Tensor s = Tensor.fromArray(f.data(c, "student"), shape).requiresGrad(true);
            Tensor t = Tensor.fromArray(f.data(c, "teacher"), shape);
            float[] yf = f.data(c, "labels");
            int[] y = new int[yf.length];
            for (int i = 0; i < y.length; i++) y[i] = (int) yf[i];
            double alpha = f.data(c, "alpha")[0], temp = f.data(c, "temperature")[0];
            Tensor kl = KdLoss.kl(s, t, temp);
            Fixtures.assertClose(f.data(c, "kl"), kl.toArray(), 1e-5, 1e-5, "kd case " + c + " kl");
            Tensor loss = KdLoss.loss(s, t, IntTensor.of(y, y.length), alpha, temp);
            Fixtures.assertClose(f.data(c, "loss"), new float[] {loss.item()}, 1e-5, 1e-5, "kd case " + c + " loss");
            loss.backward();
            Fixtures.assertClose(f.data(c, "grad_student"), s.grad().toArray(), 1e-6, 1e-4, "kd case " + c + " gradient");
            checked++;
        }
        assertEquals(5, checked);
    }

    /**
     * Hand-computed: student logits 0 (p = ½, ½), teacher logits T·(ln 3, 0) (q = ¾, ¼) in both of
     * two rows. KL per sample = ¾·ln(3/2) + ¼·ln(1/2) = 0.1308120; summed over the batch and divided
     * by N = 2 it stays 0.1308120 (an element mean would give a quarter of it), times T².
     */
    @Test
    void klIsSummedAndDividedByTheBatchNotAveragedOverElements() {
        double perSample = 0.75 * Math.log(1.5) + 0.25 * Math.log(0.5);
        for (double temp : new double[] {1, 2}) {
            float ln3 = (float) (temp * Math.log(3));
            Tensor s = Tensor.zeros(2, 2).requiresGrad(true);
            Tensor t = Tensor.fromArray(new float[] {ln3, 0, ln3, 0}, 2, 2);
            Tensor kl = KdLoss.kl(s, t, temp);
            assertEquals(temp * temp * perSample, kl.item(), 1e-6, "T = " + temp);
            assertTrue(Math.abs(kl.item() - temp * temp * perSample / 2) > 0.05, "not the element mean");
            kl.backward();
            // d/ds of T²·(1/N)·Σ KL = T·(p − q)/N = T·(½ − ¾)/2 for class 0
            float g = (float) (temp * (0.5 - 0.75) / 2);
            Fixtures.assertClose(new float[] {g, -g, g, -g}, s.grad().toArray(), 1e-6, 1e-5, "gradient, T = " + temp);
        }
    }

    @Test
    void alphaMixesSoftAndHardTerms() {
        Tensor s = Tensor.fromArray(new float[] {1, -1, 0.5f, 2, 0, -2}, 2, 3);
        Tensor t = Tensor.fromArray(new float[] {0, 1, 2, -1, 3, 0}, 2, 3);
        IntTensor y = IntTensor.of(new int[] {2, 0}, 2);
        float soft = KdLoss.loss(s, t, y, 1, 3).item(), hard = KdLoss.loss(s, t, y, 0, 3).item();
        assertEquals(KdLoss.kl(s, t, 3).item(), soft, 1e-6);
        assertEquals(0.3 * soft + 0.7 * hard, KdLoss.loss(s, t, y, 0.3, 3).item(), 1e-5);
    }

    @Test
    void rejectsBadSettingsAndShapes() {
        Tensor s = Tensor.zeros(2, 3), t = Tensor.zeros(2, 4);
        IntTensor y = IntTensor.of(new int[] {0, 1}, 2);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> KdLoss.kl(s, t, 1)).getMessage().contains("[2, 4]"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> KdLoss.loss(s, s, y, 1.5, 1)).getMessage().contains("alpha"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> KdLoss.kl(s, s, 0)).getMessage().contains("temperature"));
        assertThrows(IllegalArgumentException.class, () -> new KdConfig(-0.1, 1, null));
    }
}
