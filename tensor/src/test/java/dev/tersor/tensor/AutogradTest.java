package dev.tersor.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class AutogradTest {

    @Test
    void chainRuleThroughSharedSubexpressions() {
        Tensor x = Tensor.fromArray(new float[] {2f}, 1).requiresGrad(true);
        Tensor y = x.mul(x).add(x.mul(3f));         // y = x² + 3x, dy/dx = 2x + 3
        Tensor z = y.mul(y);                         // z = y², dz/dx = 2y(2x + 3)
        z.sum().backward();
        assertEquals(2 * 10 * 7f, x.grad().item(), 1e-4f);
    }

    @Test
    void gradientsAccumulateAcrossBackwardCallsUntilZeroed() {
        Tensor w = Tensor.fromArray(new float[] {1f, 2f}, 2).requiresGrad(true);
        w.mul(3f).sum().backward();
        w.mul(3f).sum().backward();
        assertArrayEquals(new float[] {6f, 6f}, w.grad().toArray());
        w.zeroGrad();
        assertNull(w.grad());
        w.sum().backward();
        assertArrayEquals(new float[] {1f, 1f}, w.grad().toArray());
    }

    @Test
    void theGraphIsFreedAfterBackwardUnlessRetained() {
        Tensor w = Tensor.ones(3).requiresGrad(true);
        Tensor loss = w.exp().sum();
        loss.backward(Tensor.scalar(1f), true);
        loss.backward(Tensor.scalar(1f), true);
        assertEquals(2 * (float) Math.E, w.grad().toArray()[0], 1e-5f);
        loss.backward();
        var e = assertThrows(IllegalStateException.class, loss::backward);
        assertTrue(e.getMessage().contains("retain"), e.getMessage());
    }

    @Test
    void aBackpropagatedGraphNoLongerHoldsItsActivations() {
        Tensor w = Tensor.ones(1000).requiresGrad(true);
        Tensor hidden = w.mul(2f).exp();
        Tensor loss = hidden.sum();
        java.lang.ref.WeakReference<Tensor> ref = new java.lang.ref.WeakReference<>(hidden);
        hidden = null;
        loss.backward();
        for (int i = 0; i < 50 && ref.get() != null; i++) {
            System.gc();
            Thread.onSpinWait();
        }
        assertNull(ref.get(), "the loss, still referenced, must not keep the intermediate alive after backward");
        assertEquals(1000, w.grad().numel());
    }

    @Test
    void backwardOfANonScalarNeedsAnOutputGradient() {
        Tensor w = Tensor.ones(2, 2).requiresGrad(true);
        Tensor y = w.mul(2f);
        var e = assertThrows(IllegalArgumentException.class, y::backward);
        assertTrue(e.getMessage().contains("[2, 2]") && e.getMessage().contains("gradient"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> y.backward(Tensor.ones(4)));
        y.backward(Tensor.full(0.5f, 2, 2));
        assertArrayEquals(new float[] {1, 1, 1, 1}, w.grad().toArray());
    }

    @Test
    void backwardThroughADetachedTensorSaysWhy() {
        Tensor w = Tensor.ones(2).requiresGrad(true);
        Tensor d = w.mul(2f).detach();
        assertFalse(d.requiresGrad());
        var e = assertThrows(IllegalStateException.class, () -> d.sum().backward());
        assertTrue(e.getMessage().contains("detach"), e.getMessage());
    }

    @Test
    void detachStopsGradientButSharesData() {
        Tensor w = Tensor.fromArray(new float[] {3f}, 1).requiresGrad(true);
        Tensor y = w.mul(w.detach());   // d/dw = w (the detached factor is a constant)
        y.sum().backward();
        assertEquals(3f, w.grad().item());
        assertEquals(3f, w.detach().item());
    }

    @Test
    void noGradScopeRecordsNothingAndRestoresTheMode() {
        Tensor w = Tensor.ones(2).requiresGrad(true);
        try (var scope = Tensor.noGrad()) {
            Tensor y = w.mul(2f);
            assertFalse(y.requiresGrad());
            assertFalse(GradMode.isEnabled());
            try (var inner = Tensor.noGrad()) {
                assertFalse(GradMode.isEnabled());
            }
            assertFalse(GradMode.isEnabled(), "closing an inner scope keeps the outer one");
        }
        assertTrue(GradMode.isEnabled());
        assertTrue(w.mul(2f).requiresGrad());
    }

    @Test
    void inPlaceChangeOfASavedTensorIsDetected() {
        Tensor w = Tensor.fromArray(new float[] {1f, 2f}, 2).requiresGrad(true);
        Tensor x = Tensor.fromArray(new float[] {3f, 4f}, 2);
        Tensor y = w.mul(x).sum();
        x.mulInPlace(2f);
        var e = assertThrows(IllegalStateException.class, y::backward);
        assertTrue(e.getMessage().contains("modified in place") && e.getMessage().contains("mul"), e.getMessage());
    }

    @Test
    void inPlaceChangeThroughAViewIsDetectedToo() {
        Tensor w = Tensor.ones(4).requiresGrad(true);
        Tensor x = Tensor.arange(4);
        Tensor y = w.mul(x).sum();
        x.slice(0, 0, 2, 1).fillInPlace(9f);
        assertThrows(IllegalStateException.class, y::backward);
    }

    @Test
    void anUnsavedInputMayChangeAfterTheForward() {
        Tensor w = Tensor.ones(2).requiresGrad(true);
        Tensor b = Tensor.ones(2);
        Tensor y = w.add(b).sum();   // add saves nothing
        b.fillInPlace(5f);
        y.backward();
        assertArrayEquals(new float[] {1, 1}, w.grad().toArray());
    }

    @Test
    void inPlaceOnALeafThatRequiresGradIsRefusedWhileRecording() {
        Tensor w = Tensor.ones(2).requiresGrad(true);
        var e = assertThrows(IllegalStateException.class, () -> w.addInPlace(Tensor.ones(2)));
        assertTrue(e.getMessage().contains("noGrad"), e.getMessage());
        try (var scope = Tensor.noGrad()) {
            w.addInPlace(Tensor.ones(2), -0.5f);
        }
        assertArrayEquals(new float[] {0.5f, 0.5f}, w.toArray());
    }

    /** A straight-through sign estimator, as the binary layers will define it. */
    static final class SignSte extends Function {
        @Override
        protected Tensor forward(Context ctx, Tensor... in) {
            ctx.save(in[0]);
            return in[0].sign();
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor g) {
            return new Tensor[] {g.mul(ctx.saved(0).abs().le(1f))};
        }
    }

    @Test
    void customFunctionsDefineForwardAndBackwardTogether() {
        Tensor x = Tensor.fromArray(new float[] {-2f, -0.5f, 0.3f, 1.5f}, 4).requiresGrad(true);
        Tensor y = new SignSte().apply(x);
        assertArrayEquals(new float[] {-1, -1, 1, 1}, y.toArray());
        assertEquals("SignSte", y.gradFnName());
        y.mul(Tensor.fromArray(new float[] {1, 2, 3, 4}, 4)).sum().backward();
        assertArrayEquals(new float[] {0, 2, 3, 0}, x.grad().toArray());
    }

    @Test
    void customFunctionsCheckTheirSavedTensors() {
        Tensor x = Tensor.fromArray(new float[] {0.5f}, 1).requiresGrad(true);
        Tensor h = x.mul(1f);
        Tensor y = new SignSte().apply(h);
        try (var scope = Tensor.noGrad()) {
            h.fillInPlace(3f);
        }
        assertThrows(IllegalStateException.class, () -> y.sum().backward());
    }

    @Test
    void customFunctionReturningItsInputDoesNotRewireTheInput() {
        Function identity = new Function() {
            @Override
            protected Tensor forward(Context ctx, Tensor... in) {
                return in[0];
            }

            @Override
            protected Tensor[] backward(Context ctx, Tensor g) {
                return new Tensor[] {g.mul(2f)};
            }
        };
        Tensor x = Tensor.ones(2).requiresGrad(true);
        Tensor y = identity.apply(x);
        assertTrue(x.isLeaf());
        y.sum().backward();
        assertArrayEquals(new float[] {2, 2}, x.grad().toArray());
    }

    @Test
    void deepGraphsDoNotOverflowTheStack() {
        Tensor x = Tensor.ones(1).requiresGrad(true);
        Tensor y = x;
        for (int i = 0; i < 20_000; i++) y = y.add(1f);
        y.sum().backward();
        assertEquals(1f, x.grad().item());
    }

    @Test
    void gradientsFlowOnlyToTensorsThatRequireThem() {
        Tensor a = Tensor.ones(2).requiresGrad(true);
        Tensor b = Tensor.ones(2);
        a.mul(b).sum().backward();
        assertNull(b.grad());
        assertTrue(a.isLeaf());
        assertEquals("mul", a.mul(b).gradFnName());
        assertThrows(IllegalStateException.class, () -> a.mul(b).requiresGrad(false));
    }
}
