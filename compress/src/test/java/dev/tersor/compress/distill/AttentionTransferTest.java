package dev.tersor.compress.distill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.tensor.Tensor;
import dev.tersor.tensor.testing.Fixtures;
import org.junit.jupiter.api.Test;

class AttentionTransferTest {
    /** F[0] = channels (1, 2) and (3, 0) at two positions: mean_c F² = (5, 2), normalised by √29. */
    @Test
    void mapOfHandComputedFeature() {
        Tensor f = Tensor.fromArray(new float[] {1, 2, 3, 0}, 1, 2, 1, 2);
        float r = (float) Math.sqrt(29);
        Fixtures.assertClose(new float[] {5 / r, 2 / r}, AttentionTransfer.map(f).toArray(), 1e-7, 1e-6, "at map");
        assertEquals(2, AttentionTransfer.map(f).dim());
        // student map (5, 2)/√29 vs teacher map (1, 0): mean of the squared differences
        Tensor t = Tensor.fromArray(new float[] {4, 0}, 1, 1, 1, 2);
        double d0 = 5 / Math.sqrt(29) - 1, d1 = 2 / Math.sqrt(29);
        assertEquals((d0 * d0 + d1 * d1) / 2, AttentionTransfer.loss(f, t).item(), 1e-6);
    }

    @Test
    void matchesPamsAtLossInPyTorch() {
        Fixtures f = Fixtures.load("distill.safetensors");
        int checked = 0;
        for (int c = 0; c < f.cases(); c++) {
            if (!f.param(c, "op").equals("at")) continue;
            Tensor s = Tensor.fromArray(f.data(c, "student"), f.shape(c, "student")).requiresGrad(true);
            Tensor t = Tensor.fromArray(f.data(c, "teacher"), f.shape(c, "teacher"));
            Fixtures.assertClose(f.data(c, "map_student"), AttentionTransfer.map(s).toArray(), 1e-6, 1e-5, "at case " + c + " map");
            Tensor loss = AttentionTransfer.loss(s, t);
            Fixtures.assertClose(f.data(c, "loss"), new float[] {loss.item()}, 1e-7, 1e-5, "at case " + c + " loss");
            loss.backward();
            Fixtures.assertClose(f.data(c, "grad_student"), s.grad().toArray(), 1e-6, 1e-4, "at case " + c + " gradient");
            checked++;
        }
        assertEquals(3, checked);
    }

    @Test
    void channelsMayDifferButNotTheSpatialSize() {
        assertTrue(AttentionTransfer.comparable(new int[] {2, 3, 4, 4}, new int[] {2, 16, 4, 4}));
        var e = assertThrows(IllegalArgumentException.class,
                () -> AttentionTransfer.loss(Tensor.zeros(2, 3, 4, 4), Tensor.zeros(2, 3, 8, 8)));
        assertTrue(e.getMessage().contains("[2, 3, 4, 4]") && e.getMessage().contains("[2, 3, 8, 8]"), e.getMessage());
    }
}
