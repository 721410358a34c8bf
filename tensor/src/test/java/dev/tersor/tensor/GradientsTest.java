package dev.tersor.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@link Gradients}: what it returns, what it leaves alone, and how it fails. */
class GradientsTest {

    /** {@code y = x²} with a backward from raw arrays, so it does not opt in to double backward. */
    static final class RawSquare extends Function {
        @Override
        protected Tensor forward(Context ctx, Tensor... in) {
            ctx.save(in[0]);
            return in[0].mul(in[0]);
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor g) {
            float[] x = ctx.saved(0).toArray(), gv = g.toArray();
            for (int i = 0; i < x.length; i++) x[i] = 2 * x[i] * gv[i];
            return new Tensor[] {Tensor.fromArray(x, g.shape())};
        }
    }

    /** The same op with its backward written in tensor ops, opted in. */
    static final class Square extends Function {
        @Override
        protected Tensor forward(Context ctx, Tensor... in) {
            ctx.save(in[0]);
            return in[0].mul(in[0]);
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor g) {
            return new Tensor[] {g.mul(ctx.saved(0)).mul(2f)};
        }

        @Override
        protected boolean differentiableBackward() {
            return true;
        }
    }

    @Test
    void hessianVectorProductOfACubeByHand() {
        Tensor w = Tensor.fromArray(new float[] {1f, -2f, 0.5f}, 3).requiresGrad(true);
        Tensor[] g = Gradients.withGraph(w.pow(3f).sum(), w);             // 3w²
        assertArrayEquals(new float[] {3f, 12f, 0.75f}, g[0].toArray(), 1e-6f);
        assertTrue(g[0].requiresGrad());
        Tensor v = Tensor.fromArray(new float[] {1f, 2f, -4f}, 3);
        Tensor hv = Gradients.of(g[0].mul(v).sum(), w)[0];               // 6w·v
        assertArrayEquals(new float[] {6f, -24f, -12f}, hv.toArray(), 1e-5f);
        assertNull(w.grad(), "Gradients never touches grad()");
    }

    @Test
    void leavesKeepTheirGradUntouched() {
        Tensor w = GradCheck.leaf(1, 4);
        w.mul(2f).sum().backward();
        float[] before = w.grad().toArray();
        Gradients.of(w.exp().sum(), w);
        Tensor[] g = Gradients.withGraph(w.exp().sum(), w);
        g[0].sum().backward();      // backward() does accumulate: through the gradient's graph
        assertArrayEquals(add(before, w.exp().toArray()), w.grad().toArray(), 1e-6f);
        Tensor u = GradCheck.leaf(2, 4);
        Gradients.of(Gradients.withGraph(u.pow(3f).sum(), u)[0].sum(), u);
        assertNull(u.grad());
    }

    @Test
    void firstOrderEqualsBackwardBitForBit() {
        Tensor x = GradCheck.leaf(3, 2, 2, 6, 6), w = GradCheck.leaf(4, 4, 1, 3, 3), b = GradCheck.leaf(5, 4);
        Tensor gamma = GradCheck.leaf(6, 4), fc = GradCheck.leaf(7, 3, 16);
        java.util.function.Supplier<Tensor> loss = () -> {
            Tensor h = Functional.conv2d(x, w, b, Conv2dOptions.of(1, 1).withGroups(2));
            h = Functional.batchNorm(h, gamma, null, null, null, true, 0.1f, 1e-5f).relu();
            h = Functional.maxPool2d(h, 3).flatten(1, -1);
            Tensor logits = Functional.linear(h, fc, null);
            return logits.logSoftmax(1).mul(logits).sum().add(h.mul(h).mean());   // h is used twice
        };
        Tensor[] g = Gradients.of(loss.get(), x, w, b, gamma, fc);
        loss.get().backward();
        Tensor[] leaves = {x, w, b, gamma, fc};
        for (int i = 0; i < leaves.length; i++) assertArrayEquals(leaves[i].grad().toArray(), g[i].toArray(), "input " + i);
    }

    @Test
    void nonLeafInputsGetTheTotalGradientArrivingAtThem() {
        Tensor x = Tensor.fromArray(new float[] {1f, 2f}, 2).requiresGrad(true);
        Tensor y = x.mul(3f);                                 // y = 3x
        Tensor loss = y.mul(y).sum().add(y.sum());            // L = Σ y² + Σ y
        Tensor[] g = Gradients.of(loss, y, x);
        assertArrayEquals(new float[] {7f, 13f}, g[0].toArray(), 1e-6f);     // 2y + 1
        assertArrayEquals(new float[] {21f, 39f}, g[1].toArray(), 1e-6f);    // 3·(2y + 1)
        Tensor s = x.exp().sum();
        assertArrayEquals(new float[] {1f}, Gradients.of(s, s)[0].toArray(), "the output itself gets 1");
    }

    @Test
    void theSearchStopsAtANonLeafInput() {
        Tensor x = GradCheck.leaf(8, 3);
        Tensor hidden = new RawSquare().apply(x);                  // not differentiable twice
        Tensor y = hidden.tanh();
        Tensor[] g = Gradients.withGraph(y.mul(y).sum(), y);     // RawSquare lies behind y: never run
        assertArrayEquals(y.mul(2f).toArray(), g[0].toArray(), 1e-6f);
        assertTrue(g[0].requiresGrad());
    }

    @Test
    void unusedInputsGetZerosOfTheirShape() {
        Tensor x = GradCheck.leaf(9, 2), unused = GradCheck.leaf(10, 3, 2);
        Tensor[] g = Gradients.of(x.sum(), x, unused);
        assertArrayEquals(new int[] {3, 2}, g[1].shape());
        assertArrayEquals(new float[6], g[1].toArray());
        Tensor[] h = Gradients.withGraph(x.mul(x).sum(), unused, x);
        assertArrayEquals(new float[6], h[0].toArray());
        assertFalse(h[0].requiresGrad());
        assertArrayEquals(x.mul(2f).toArray(), h[1].toArray(), 1e-6f);
    }

    @Test
    void anInputThatDoesNotRequireGradIsNamed() {
        Tensor x = GradCheck.leaf(11, 2), constant = Tensor.ones(2, 3);
        var e = assertThrows(IllegalArgumentException.class, () -> Gradients.of(x.sum(), x, constant));
        assertTrue(e.getMessage().contains("input 1") && e.getMessage().contains("[2, 3]"), e.getMessage());
    }

    @Test
    void outputsAreCheckedAsInBackward() {
        Tensor x = GradCheck.leaf(12, 2);
        var e = assertThrows(IllegalArgumentException.class, () -> Gradients.of(x.mul(2f), x));
        assertTrue(e.getMessage().contains("not a scalar"), e.getMessage());
        Tensor[] g = Gradients.compute(x.mul(2f), Tensor.fromArray(new float[] {1f, -3f}, 2), false, false, x);
        assertArrayEquals(new float[] {2f, -6f}, g[0].toArray());
        assertThrows(IllegalStateException.class, () -> Gradients.of(Tensor.ones(1).sum(), x));
        assertThrows(IllegalArgumentException.class, () -> Gradients.compute(x.sum(), Tensor.ones(2), false, false, x));
    }

    @Test
    void ofFreesTheGraphAndWithGraphKeepsIt() {
        Tensor x = GradCheck.leaf(13, 3);
        Tensor kept = x.exp().sum();
        Gradients.withGraph(kept, x);
        assertArrayEquals(x.exp().toArray(), Gradients.of(kept, x)[0].toArray(), 1e-6f);
        var e = assertThrows(IllegalStateException.class, () -> Gradients.of(kept, x));
        assertTrue(e.getMessage().contains("second time"), e.getMessage());
    }

    @Test
    void aCreateGraphPassThroughAnOpWithoutOneNamesIt() {
        Tensor x = GradCheck.leaf(14, 3);
        Tensor loss = new RawSquare().apply(x).sum();
        var e = assertThrows(IllegalStateException.class, () -> Gradients.withGraph(loss, x));
        assertTrue(e.getMessage().contains("double backward is not supported through RawSquare"), e.getMessage());
        assertArrayEquals(x.mul(2f).toArray(), Gradients.of(new RawSquare().apply(x).sum(), x)[0].toArray(), 1e-6f);
    }

    @Test
    void aFunctionThatOptsInIsDifferentiatedTwice() {
        Tensor x = Tensor.fromArray(new float[] {1f, -2f}, 2).requiresGrad(true);
        Tensor[] g = Gradients.withGraph(new Square().apply(x).mul(x).sum(), x);        // d(x³)/dx = 3x²
        assertArrayEquals(new float[] {3f, 12f}, g[0].toArray(), 1e-6f);
        Tensor hv = Gradients.of(g[0].sum(), x)[0];                                    // 6x
        assertArrayEquals(new float[] {6f, -12f}, hv.toArray(), 1e-6f);
        GradCheck.secondOrder(in -> new Square().apply(in[0]).tanh(), GradCheck.leaf(15, 4));
    }

    @Test
    void gradientsOfALinearFunctionDoNotRequireGrad() {
        Tensor w = GradCheck.leaf(16, 3);
        Tensor c = Tensor.fromArray(new float[] {1f, 2f, 3f}, 3);
        Tensor[] g = Gradients.withGraph(w.mul(c).sum(), w);
        assertFalse(g[0].requiresGrad());
        assertEquals(2f, g[0].get(1));
    }

    private static float[] add(float[] a, float[] b) {
        float[] out = a.clone();
        for (int i = 0; i < out.length; i++) out[i] += b[i];
        return out;
    }
}
