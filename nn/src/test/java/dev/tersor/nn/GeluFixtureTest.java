package dev.tersor.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tersor.tensor.GeluApproximation;
import dev.tersor.tensor.Tensor;
import dev.tersor.tensor.testing.Fixtures;
import org.junit.jupiter.api.Test;

/** {@link GELU}, exact and tanh-approximated, against PyTorch 1.13's nn.GELU (activations.safetensors). */
class GeluFixtureTest {
    private static final Fixtures F = Fixtures.load("activations.safetensors");

    @Test
    void bothApproximationsMatchPyTorch() {
        for (int c = 0; c < F.cases(); c++) {
            String approximate = F.param(c, "approximate");
            GELU gelu = new GELU(approximate.equals("tanh") ? GeluApproximation.TANH : GeluApproximation.NONE);
            Tensor x = Tensor.fromArray(F.data(c, "input"), F.shape(c, "input")).requiresGrad(true);
            Tensor y = gelu.call(x);
            String what = "gelu approximate=" + approximate;
            Fixtures.assertClose(F.data(c, "output"), y.toArray(), 1e-6, 1e-5, what + " output");
            y.backward(Tensor.fromArray(F.data(c, "grad_output"), F.shape(c, "grad_output")));
            Fixtures.assertClose(F.data(c, "grad_input"), x.grad().toArray(), 1e-6, 1e-5, what + " grad_input");
        }
    }

    @Test
    void approximationsDifferAndAreShown() {
        Tensor x = Tensor.scalar(1f);
        // exact 0.8413447, tanh 0.8411920 (PyTorch)
        assertEquals(0.8413447f, new GELU().call(x).item(), 1e-6f);
        assertEquals(0.8411920f, new GELU(GeluApproximation.TANH).call(x).item(), 1e-6f);
        assertEquals("GELU(approximate='tanh')", new GELU(GeluApproximation.TANH).toString());
        assertThrows(IllegalArgumentException.class, () -> new GELU(null));
    }
}
