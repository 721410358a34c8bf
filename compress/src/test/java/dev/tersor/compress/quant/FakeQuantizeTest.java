package dev.tersor.compress.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.tensor.GradCheck;
import dev.tersor.tensor.Tensor;
import dev.tersor.tensor.testing.Fixtures;
import org.junit.jupiter.api.Test;

/** The fake-quantization op against PyTorch 1.13, hand-computed goldens and finite differences. */
class FakeQuantizeTest {

    private static Tensor t(float... v) {
        return Tensor.fromArray(v, v.length);
    }

    private static int[] ints(float[] v) {
        int[] r = new int[v.length];
        for (int i = 0; i < v.length; i++) r[i] = Math.round(v[i]);
        return r;
    }

    /** Outputs and masks are bit-exact against torch (same float32 arithmetic); scale gradients are sums. */
    @Test
    void matchesTorchFixtures() {
        Fixtures f = Fixtures.load("fake_quant.safetensors");
        assertEquals(13, f.cases());
        for (int c = 0; c < f.cases(); c++) {
            String op = f.param(c, "op");
            int qmin = f.ints(c, "qmin")[0], qmax = f.ints(c, "qmax")[0];
            Tensor x = Tensor.fromArray(f.data(c, "input"), f.shape(c, "input")).requiresGrad(true);
            float[] scale = f.data(c, "scale");
            int[] zp = ints(f.data(c, "zero_point"));
            Tensor s = Tensor.fromArray(scale, scale.length).requiresGrad(true);
            Tensor y = op.equals("learnable")
                    ? FakeQuantize.learned(x, s, zp[0], qmin, qmax, FakeQuantize.Rule.torchLearnable(f.data(c, "grad_factor")[0]))
                    : FakeQuantize.fixed(x, new QParams(scale, zp, qmin, qmax));
            y.backward(Tensor.fromArray(f.data(c, "grad_output"), f.shape(c, "grad_output")));
            String what = op + " case " + c;
            assertArrayEquals(f.data(c, "output"), y.toArray(), what + " output");
            Fixtures.assertClose(f.data(c, "grad_input"), x.grad().toArray(), 0, 0, what + " grad_input");   // torch writes −0 for g·0
            if (op.equals("learnable")) Fixtures.assertClose(f.data(c, "grad_scale"), s.grad().toArray(), 1e-5, 1e-5, what + " grad_scale");
        }
    }

    /** 2 bits [−2, 1], s = 0.5: ties go to even, values past the ends clamp; both windows at their edges. */
    @Test
    void twoBitGoldensAndWindows() {
        QParams p = QParams.perTensor(0.5f, 0, -2, 1);
        float[] xs = {-1.3f, -0.75f, -0.25f, 0.25f, 0.3f, 0.75f, 2f};
        Tensor x = t(xs).requiresGrad(true);
        Tensor y = FakeQuantize.fixed(x, p);
        assertArrayEquals(new float[] {-1f, -1f, 0f, 0f, 0.5f, 0.5f, 0.5f}, y.toArray());
        y.sum().backward();
        // torch: rint(z) in [−2, 1]; z = −1.5 rounds to −2 (in), z = 1.5 rounds to 2 (out)
        assertArrayEquals(new float[] {0, 1, 1, 1, 1, 0, 0}, x.grad().toArray());
        Tensor x2 = t(-1f, -0.99f, 0.49f, 0.5f, 0.51f).requiresGrad(true);
        FakeQuantize.fixed(x2, p, FakeQuantize.Window.UNROUNDED).sum().backward();
        // papers: −2 < z < 1 strictly; z = −2 and z = 1 are clipped
        assertArrayEquals(new float[] {0, 1, 1, 0, 0}, x2.grad().toArray());
        for (int i = 0; i < xs.length; i++) assertEquals(p.dequantize(p.quantize(xs[i], 0), 0), y.toArray()[i], "integer conversion " + i);
    }

    /** 4-bit affine from the range [−1, 2]: scale 0.2, zero point 5; 8-bit signed from [−1, 1]: scale 1/127.5. */
    @Test
    void fourAndEightBitGoldens() {
        QParams p4 = QuantScheme.affine(4).qparams(-1f, 2f);
        assertEquals(0.2f, p4.scale(0));
        assertEquals(5, p4.zeroPoint(0));
        // z = x·5: 0.5 → 2.5 → 2 (even) → q 7 → 0.4; −1.2 → −6 → q −1 → clamp 0 → −1.0; 2.5 → 12.5 → 12 → q 17 → clamp 15 → 2.0
        assertArrayEquals(new float[] {2 * 0.2f, -5 * 0.2f, 10 * 0.2f, 0f}, FakeQuantize.fixed(t(0.5f, -1.2f, 2.5f, 0.01f), p4).toArray());
        QParams p8 = QuantScheme.signed(8, false).qparams(-1f, 1f);
        float s = 1f / 127.5f;
        assertEquals(s, p8.scale(0));
        // 0.5·127.5 = 63.75 → 64; 1.2 → 153 → 127; −1.2 → −153 → −128; 0.3 → 38.25 → 38
        assertArrayEquals(new float[] {64 * s, 127 * s, -128 * s, 38 * s}, FakeQuantize.fixed(t(0.5f, 1.2f, -1.2f, 0.3f), p8).toArray());
    }

    /** Per channel along dimension 0: each row its own scale and zero point. */
    @Test
    void perChannelRows() {
        QParams p = new QParams(new float[] {0.5f, 0.25f}, new int[] {0, 1}, -2, 1);
        Tensor x = Tensor.fromArray(new float[] {0.6f, -2f, 0.6f, -2f}, 2, 2);
        // row 0: 1.2 → 1 → 0.5; −4 → −2 → −1.0.  row 1: 2.4 → 2 + 1 = 3 → 1 → 0; −8 + 1 → −2 → −0.75
        assertArrayEquals(new float[] {0.5f, -1f, 0f, -0.75f}, FakeQuantize.fixed(x, p).toArray());
        assertThrows(IllegalArgumentException.class, () -> FakeQuantize.fixed(Tensor.zeros(3, 2), p));
    }

    /** LSQ's eq. 3 at its kinks (2 bits, Qn = 2, Qp = 1, s = 0.5), with the gradient scale applied. */
    @Test
    void lsqStepGradientAtKinks() {
        Tensor x = t(-1.3f, -1f, -0.6f, 0.25f, 0.5f, 0.7f).requiresGrad(true);
        Tensor s = t(0.5f).requiresGrad(true);
        float g = 0.25f;
        Tensor y = FakeQuantize.learned(x, s, 0, -2, 1, FakeQuantize.Rule.lsq(g));
        assertArrayEquals(new float[] {-1f, -1f, -0.5f, 0f, 0.5f, 0.5f}, y.toArray());
        Tensor up = t(1, 10, 100, 1000, 10000, 100000);
        y.backward(up);
        // z = −2.6: −Qn; z = −2 (edge): −Qn; z = −1.2: rint − z = 0.2; z = 0.5 (tie → 0): −0.5; z = 1 (edge): Qp; z = 1.4: Qp
        double expected = g * (-2 * 1 - 2 * 10 + 0.2 * 100 - 0.5 * 1000 + 1 * 10000 + 1 * 100000);
        assertEquals(expected, s.grad().item(), 1e-2);
        assertArrayEquals(new float[] {0, 0, 100, 1000, 0, 0}, x.grad().toArray());
    }

    /** Away from the window's edges the LSQ rule is the true derivative of the round_pass surrogate. */
    @Test
    void lsqRuleMatchesFiniteDifferences() {
        for (int bits : new int[] {2, 4, 8}) {
            int qn = 1 << (bits - 1), qp = qn - 1;
            float step = bits == 8 ? 0.05f : 0.3f;
            float g = 0.37f;
            float[] v = new float[12];
            v[0] = (-qn - 1.3f) * step;     // clipped below and above, away from the edges
            v[1] = (-qn - 0.6f) * step;
            v[10] = (qp + 0.7f) * step;
            v[11] = (qp + 2.2f) * step;
            for (int i = 2; i < 10; i++) v[i] = (-qn + 0.3f + (qn + qp - 0.6f) * (i - 1.7f) / 8.3f) * step;
            Tensor x = t(v).requiresGrad(true), s = t(step).requiresGrad(true);
            Tensor base = FakeQuantize.learned(x, s, 0, -qn, qp, FakeQuantize.Rule.lsq(g)).detach();
            GradCheck.check(Surrogate.autogradOf(in -> FakeQuantize.learned(in[0], in[1], 0, -qn, qp, FakeQuantize.Rule.lsq(g)),
                    Surrogate.lsq(x, s, g, -qn, qp, base)), 1e-4, 2e-3, 2e-2, x, s);
            float[] gx = x.grad().toArray();
            int clipped = 0;
            for (float d : gx) if (d == 0f) clipped++;
            assertTrue(clipped == 4, bits + " bits: both clipped and passed elements, got " + clipped + " clipped");
        }
    }

    @Test
    void rejectsBadArguments() {
        assertThrows(IllegalArgumentException.class, () -> FakeQuantize.learned(t(1f), t(0.5f), 5, -2, 1, FakeQuantize.Rule.lsq(1f)));
        assertThrows(IllegalArgumentException.class, () -> FakeQuantize.Rule.lsq(0f));
        assertThrows(IllegalArgumentException.class, () -> FakeQuantize.learned(t(1f), t(-0.5f), 0, -2, 1, FakeQuantize.Rule.lsq(1f)));
    }
}
