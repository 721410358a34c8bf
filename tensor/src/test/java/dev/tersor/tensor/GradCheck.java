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
            for (int i = 0; i < x.numel(); i++) {
                int pos = position(x, i);
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

    /** {@link #secondOrder(Function, double, double, double, Tensor...)} with eps 1e-2, atol 2e-3, rtol 2e-2. */
    public static void secondOrder(Function<Tensor[], Tensor> f, Tensor... inputs) {
        secondOrder(f, 1e-2, 2e-3, 2e-2, inputs);
    }

    /**
     * Checks second derivatives of {@code L = Σ f(x)·r} ({@code r} fixed random): the
     * Hessian-vector product {@code Hv = ∇_x Σ_k ⟨∇_k L, v_k⟩} from {@link Gradients#withGraph}
     * followed by {@link Gradients#of} (fixed random {@code v_k}) against central finite
     * differences of {@code s(x) = Σ_k ⟨∇_k L(x), v_k⟩}, the first-order gradients summed in
     * double, one input element at a time. Also checks that the create-graph gradients equal
     * the first-order ones. Every input that requires grad takes part.
     */
    public static void secondOrder(Function<Tensor[], Tensor> f, double eps, double atol, double rtol, Tensor... inputs) {
        Tensor[] live = java.util.Arrays.stream(inputs).filter(Tensor::requiresGrad).toArray(Tensor[]::new);
        Tensor out = f.apply(inputs);
        Tensor r = Tensor.randn(new Generator(1234), out.shape());
        Tensor[] v = new Tensor[live.length];
        for (int k = 0; k < live.length; k++) v[k] = Tensor.randn(new Generator(4321 + k), live[k].shape());
        Tensor[] grads = Gradients.withGraph(out.mul(r).sum(), live);
        Tensor[] plain = Gradients.of(f.apply(inputs).mul(r).sum(), live);
        for (int k = 0; k < live.length; k++) {
            float[] a = grads[k].toArray(), b = plain[k].toArray();
            for (int i = 0; i < a.length; i++) {
                if (Math.abs(a[i] - b[i]) > 1e-5 + 1e-4 * Math.abs(b[i])) {
                    fail(String.format("input %d element %d: create-graph gradient %.7f vs first-order %.7f", k, i, a[i], b[i]));
                }
            }
        }
        Tensor s = null;
        for (int k = 0; k < live.length; k++) {
            Tensor term = grads[k].mul(v[k]).sum();
            s = s == null ? term : s.add(term);
        }
        Tensor[] hv = s.requiresGrad() ? Gradients.of(s, live) : zerosLike(live);
        for (int j = 0; j < live.length; j++) {
            Tensor x = live[j];
            float[] analytic = hv[j].toArray();
            float[] data = x.storage.data;
            for (int i = 0; i < x.numel(); i++) {
                int pos = position(x, i);
                float orig = data[pos];
                double plus, minus;
                try {
                    data[pos] = (float) (orig + eps);
                    plus = directional(f, r, v, inputs, live);
                    data[pos] = (float) (orig - eps);
                    minus = directional(f, r, v, inputs, live);
                } finally {
                    data[pos] = orig;
                }
                double numeric = (plus - minus) / (2 * eps);
                double diff = Math.abs(numeric - analytic[i]);
                if (diff > atol + rtol * Math.abs(numeric)) {
                    fail(String.format("input %d element %d: Hessian-vector product %.6f vs finite difference %.6f"
                            + " (diff %.2e)", j, i, analytic[i], numeric, diff));
                }
            }
        }
    }

    /** {@code Σ_k ⟨∇_k L, v_k⟩} in double, from a first-order pass. */
    private static double directional(Function<Tensor[], Tensor> f, Tensor r, Tensor[] v, Tensor[] inputs, Tensor[] live) {
        Tensor[] g = Gradients.of(f.apply(inputs).mul(r).sum(), live);
        double s = 0;
        for (int k = 0; k < g.length; k++) s += project(g[k], v[k]);
        return s;
    }

    private static Tensor[] zerosLike(Tensor[] ts) {
        Tensor[] z = new Tensor[ts.length];
        for (int k = 0; k < ts.length; k++) z[k] = Tensor.zeros(ts[k].shape());
        return z;
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

    /** The storage position of element {@code i} (row-major) of {@code x}. */
    private static int position(Tensor x, int i) {
        int pos = x.offset, rem = i;
        for (int d = x.dim() - 1; d >= 0; d--) {
            pos += (rem % x.shape[d]) * x.strides[d];
            rem /= x.shape[d];
        }
        return pos;
    }
}
