package dev.tersor.nn.zoo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.nn.Module;
import dev.tersor.nn.Rng;
import dev.tersor.nn.shift.GhostConv2d;
import dev.tersor.tensor.Generator;
import dev.tersor.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EdsrGhostTest {

    /** GhostSR reports −47% parameters and −46% FLOPs on EDSR ×2; the baseline keeps a larger share in head and tail. */
    @Test
    void summaryShowsTheReductionVsEdsr() {
        EdsrGhost.Reduction r = EdsrGhost.reduction(2);
        assertEquals(1369883L, r.edsrParameters(), "edsr's parameter count");
        assertEquals(788251L, r.ghostParameters());
        assertTrue(r.parameterChange() < -0.40 && r.parameterChange() > -0.55, "parameters " + r.parameterChange());
        assertTrue(r.macChange() < -0.40 && r.macChange() > -0.55, "MACs " + r.macChange());
        assertEquals(r, EdsrGhost.countedReduction(2, 16, 64, EdsrGhost.RATIO), "the formula info prints is Summary's count");
    }

    @Test
    void fullSizeEdsrReachesThePapersFigure() {
        EdsrGhost.Reduction full = EdsrGhost.countedReduction(2, 32, 256, 0.5);   // 40.7M parameters, too large to build here
        assertEquals(40729627L, full.edsrParameters());
        assertEquals(-0.46, full.parameterChange(), 0.01);
        assertEquals(-0.46, full.macChange(), 0.01);
    }

    @Test
    void infoDescribesTheModelAndItsReduction() {
        ModelInfo info = EdsrGhost.info();
        assertEquals("edsr-ghost", info.name());
        assertFalse(info.isClassifier());
        assertTrue(info.description().contains("788,251 parameters (-42.5% vs edsr's 1,369,883)"), info.description());
        assertTrue(info.description().contains("(-43.0% vs 3.16)"), info.description());
        assertArrayEquals(new int[] {3, 48, 48}, info.inputShape());
    }

    @Test
    void ghostModulesReplaceTheResidualBlockConvolutions() {
        Rng.manualSeed(1);
        EdsrGhost model = new EdsrGhost(2, 2, 8, 1f, 255f, 0.5);
        assertTrue(model.get("body.0.body.0") instanceof GhostConv2d);
        assertTrue(model.get("body.1.body.2") instanceof GhostConv2d);
        assertFalse(model.get("body.2") instanceof GhostConv2d, "the body's last conv stays");
        Map<String, Tensor> sd = model.stateDict();
        assertArrayEquals(new int[] {4, 8, 3, 3}, sd.get("body.0.body.0.primary.weight").shape());
        assertArrayEquals(new int[] {4, 9}, sd.get("body.1.body.2.shift.logits").shape());
        assertTrue(sd.containsKey("tail.0.0.weight") && sd.containsKey("head.0.weight"));
        try (var g = Tensor.noGrad()) {
            assertArrayEquals(new int[] {1, 3, 10, 12}, model.call(Tensor.rand(new Generator(2), 1, 3, 5, 6).mul(255f)).shape());
        }
        assertTrue(EdsrGhost.isBodyConv("body.15.body.2"));
        assertFalse(EdsrGhost.isBodyConv("body.16"));
        assertFalse(EdsrGhost.isBodyConv("body.0.body.1"));
    }

    @Test
    void aConvertedEdsrLoadsIntoEdsrGhost() {
        Rng.manualSeed(3);
        Edsr trained = new Edsr(2, 2, 8, 1f, 255f);
        List<String> done = EdsrGhost.convert(trained, 0.5, new Generator(4));
        assertEquals(List.of("body.0.body.0", "body.0.body.2", "body.1.body.0", "body.1.body.2"), done);
        Module fresh = new EdsrGhost(2, 2, 8, 1f, 255f, 0.5);
        assertTrue(fresh.loadStateDict(trained.stateDict(), true).isClean());
        trained.eval();
        fresh.eval();
        Tensor x = Tensor.rand(new Generator(5), 1, 3, 4, 4).mul(255f);
        try (var g = Tensor.noGrad()) {
            assertArrayEquals(trained.call(x).toArray(), fresh.call(x).toArray());
        }
    }
}
