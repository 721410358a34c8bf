package dev.tersor.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tersor.tensor.GradCheck;
import dev.tersor.tensor.Tensor;
import dev.tersor.tensor.testing.Fixtures;
import org.junit.jupiter.api.Test;

/** Normalisation layers against PyTorch 1.13 (nn/src/test/resources/fixtures/generate_nn.py). */
class LayerFixtureTest {
    private static final Fixtures F = Fixtures.load("layers.safetensors");

    private static Tensor t(int c, String name) {
        return Tensor.fromArray(F.data(c, name), F.shape(c, name));
    }

    private static void set(Parameter p, Tensor v) {
        p.set(v);
    }

    @Test
    void everyCaseMatchesPyTorch() {
        for (int c = 0; c < F.cases(); c++) {
            String op = F.param(c, "op");
            Module m;
            switch (op) {
                case "batch_norm2d", "batch_norm1d" -> {
                    int ch = F.shape(c, "weight")[0];
                    BatchNormBase bn = op.equals("batch_norm2d") ? new BatchNorm2d(ch) : new BatchNorm1d(ch);
                    set(bn.weight(), t(c, "weight"));
                    set(bn.bias(), t(c, "bias"));
                    bn.runningMean().copyInPlace(t(c, "start_mean"));
                    bn.runningVar().copyInPlace(t(c, "start_var"));
                    if (F.ints(c, "train")[0] == 0) bn.eval();
                    m = bn;
                }
                case "layer_norm" -> {
                    int[] shape = F.shape(c, "weight");
                    LayerNorm ln = new LayerNorm(shape);
                    ln.loadStateDict(java.util.Map.of("weight", t(c, "weight"), "bias", t(c, "bias")), true);
                    m = ln;
                }
                case "group_norm" -> {
                    GroupNorm gn = new GroupNorm(F.ints(c, "groups")[0], F.ints(c, "channels")[0]);
                    gn.loadStateDict(java.util.Map.of("weight", t(c, "weight"), "bias", t(c, "bias")), true);
                    m = gn;
                }
                default -> throw new AssertionError("unknown op " + op);
            }
            Tensor x = t(c, "input").requiresGrad(true);
            Tensor y = m.call(x);
            String what = op + " case " + c;
            Fixtures.assertClose(F.data(c, "output"), y.toArray(), 1e-5, 1e-4, what + " output");
            y.backward(t(c, "grad_output"));
            Fixtures.assertClose(F.data(c, "grad_input"), x.grad().toArray(), 1e-4, 1e-3, what + " grad_input");
            var params = m.namedParameters();
            Fixtures.assertClose(F.data(c, "grad_weight"), params.get("weight").grad().toArray(), 1e-4, 1e-3, what + " grad_weight");
            Fixtures.assertClose(F.data(c, "grad_bias"), params.get("bias").grad().toArray(), 1e-4, 1e-3, what + " grad_bias");
            if (m instanceof BatchNormBase bn) {
                Fixtures.assertClose(F.data(c, "running_mean"), bn.runningMean().toArray(), 1e-6, 1e-5, what + " running_mean");
                Fixtures.assertClose(F.data(c, "running_var"), bn.runningVar().toArray(), 1e-6, 1e-5, what + " running_var");
            }
        }
    }

    @Test
    void batchNormWithCumulativeMomentumAveragesBatches() {
        BatchNorm1d bn = new BatchNorm1d(1, 1e-5f, null, false, true);
        bn.call(Tensor.fromArray(new float[] {0, 2}, 2, 1));
        bn.call(Tensor.fromArray(new float[] {4, 6}, 2, 1));
        assertEquals(3f, bn.runningMean().item(), 1e-6f);
        assertEquals(2f, bn.runningVar().item(), 1e-6f);   // unbiased variances 2 and 2
        assertEquals(2f, bn.stateDict().get("num_batches_tracked").item());
    }

    @Test
    void batchNormRejectsWrongInput() {
        var e = assertThrows(IllegalArgumentException.class, () -> new BatchNorm2d(3).call(Tensor.zeros(2, 4, 5, 5)));
        assertEquals(true, e.getMessage().contains("[2, 4, 5, 5]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new BatchNorm1d(3).call(Tensor.zeros(1, 3)));
        assertThrows(IllegalArgumentException.class, () -> new GroupNorm(4, 6));
    }

    @Test
    void normalisationGradientsByFiniteDifferences() {
        BatchNorm2d bn = new BatchNorm2d(2);
        GradCheck.check(in -> bn.call(in[0]), GradCheck.leaf(1, 3, 2, 2, 2));
        LayerNorm ln = new LayerNorm(3);
        GradCheck.check(in -> ln.call(in[0]), GradCheck.leaf(2, 2, 3));
    }

    @Test
    void simpleLayersComputeWhatTheySay() {
        Tensor x = Tensor.fromArray(new float[] {-7, -0.5f, 0.5f, 7}, 4);
        assertArrayEquals(new float[] {0, 0, 0.5f, 6}, new ReLU6().call(x).toArray());
        assertArrayEquals(new float[] {-1, -0.5f, 0.5f, 1}, new Hardtanh().call(x).toArray());
        assertArrayEquals(new float[] {-0.07f, -0.005f, 0.5f, 7}, new LeakyReLU().call(x).toArray(), 1e-7f);
        assertArrayEquals(new float[] {-1.75f, -0.125f, 0.5f, 7}, new PReLU().call(x).toArray(), 1e-7f);
        assertArrayEquals(new int[] {2, 12}, new Flatten().call(Tensor.zeros(2, 3, 4)).shape());
        assertArrayEquals(x.toArray(), new Identity().call(x).toArray());
    }

    @Test
    void dropoutScalesKeptValuesAndIsOffInEval() {
        Dropout d = new Dropout(0.25f, new dev.tersor.tensor.Generator(3));
        float[] y = d.call(Tensor.ones(10000)).toArray();
        int kept = 0;
        for (float v : y) {
            if (v != 0f) {
                assertEquals(1f / 0.75f, v, 1e-6f);
                kept++;
            }
        }
        assertEquals(0.75, kept / 10000.0, 0.02);
        d.eval();
        assertArrayEquals(Tensor.ones(5).toArray(), d.call(Tensor.ones(5)).toArray());
        assertThrows(IllegalArgumentException.class, () -> new Dropout(1f));
    }

    @Test
    void linearInitialisationStaysWithinPyTorchBounds() {
        Linear fc = new Linear(100, 50);
        float bound = 0.1f;
        for (float v : fc.weight().value().toArray()) assertEquals(true, Math.abs(v) <= bound);
        for (float v : fc.bias().value().toArray()) assertEquals(true, Math.abs(v) <= bound);
        assertThrows(IllegalArgumentException.class, () -> new Linear(0, 3));
    }
}
