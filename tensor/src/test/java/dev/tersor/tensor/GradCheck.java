package dev.tersor.tensor;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.function.Function;

/**
 * Compares autograd gradients with central finite differences. The op's output is projected on a
 * fixed random tensor {@code r}, so the scalar checked is {@code L = Σ f(x)·r}; each input
 * element is nudged by ±eps and {@code (L+ - L-) / 2eps} is accumulated in double.
 */
public final class GradCheck {
    private GradCheck() {
    }

    /** Checks {@code f} at {@code inputs} with eps 1e-3 and tolerances atol 2e-3, rtol 2e-2. */
    public static void check(Function<Tensor[], Tensor> f, Tensor... inputs) {
        check(f, 1e-3, 2e-3, 2e-2, inputs);
    }

    /** Checks {@code f} at {@code inputs}; every input that requires grad is checked. */
    public static void check(Function<Tensor[], Tensor> f, double eps, double atol, double rtol, Tensor... inputs) {
        for (Tensor t : inputs) t.zeroGrad();
        Tensor out = f.apply(inputs);
        Tensor r = Tensor.randn(new Generator(1234), out.shape());
        out.backward(r);
        for (int k = 0; k < inputs.length; k++) {
            Tensor x = inputs[k];
            if (!x.requiresGrad()) continue;
            if (x.grad() == null) fail("input " + k + " got no gradient");
            float[] analytic = x.grad().toArray();
            float[] data = x.storage.data;
            int[] idx = new int[x.dim()];
            for (int i = 0; i < x.numel(); i++) {
                int pos = x.offset;
                int rem = i;
                for (int d = x.dim() - 1; d >= 0; d--) {
                    idx[d] = rem % x.shape[d];
                    rem /= x.shape[d];
                    pos += idx[d] * x.strides[d];
                }
                float orig = data[pos];
                double plus, minus;
                try (var g = Tensor.noGrad()) {
                    data[pos] = (float) (orig + eps);
                    plus = project(f.apply(inputs), r);
                    data[pos] = (float) (orig - eps);
                    minus = project(f.apply(inputs), r);
                } finally {
                    data[pos] = orig;
                }
                double numeric = (plus - minus) / (2 * eps);
                double diff = Math.abs(numeric - analytic[i]);
                if (diff > atol + rtol * Math.abs(numeric)) {
                    fail(String.format("input %d element %d: autograd %.6f vs finite difference %.6f (diff %.2e)",
                            k, i, analytic[i], numeric, diff));
                }
            }
        }
    }

    private static double project(Tensor y, Tensor r) {
        float[] a = y.toArray(), b = r.toArray();
        double s = 0;
        for (int i = 0; i < a.length; i++) s += (double) a[i] * b[i];
        return s;
    }

    /** A leaf of the given shape with standard normal values from {@code seed}. */
    public static Tensor leaf(long seed, int... shape) {
        return Tensor.randn(new Generator(seed), shape).requiresGrad(true);
    }
}
