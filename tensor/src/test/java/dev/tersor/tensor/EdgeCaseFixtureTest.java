package dev.tersor.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.tensor.testing.Fixtures;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Forward values and input gradients at the edges (zeros of both signs, ties, constant rows,
 * size-1 axes, bounds) against PyTorch 1.13: {@code edge.safetensors}, made by the
 * {@code gen_edge} section of generate.py. One table maps each fixture op to the Tersor call;
 * inf and NaN must match exactly (an inf gradient of sqrt at 0, a NaN unbiased variance of one
 * value).
 */
class EdgeCaseFixtureTest {
    private static final double ATOL = 1e-5, RTOL = 1e-4;
    private static final Fixtures EDGE = Fixtures.load("edge.safetensors");

    static IntStream cases() {
        return IntStream.range(0, EDGE.cases());
    }

    @ParameterizedTest(name = "edge case {0}")
    @MethodSource("cases")
    void matchesPyTorch(int c) {
        Fixtures f = EDGE;
        String op = f.param(c, "op");
        if (op.equals("argmax") || op.equals("argmin")) {
            Tensor x = input(f, c, "input");
            IntTensor idx = op.equals("argmax") ? x.argmax(f.ints(c, "dim")[0], false) : x.argmin(f.ints(c, "dim")[0], false);
            float[] got = new float[idx.numel()];
            for (int i = 0; i < got.length; i++) got[i] = idx.getFlat(i);
            assertArrayEquals(f.data(c, "output"), got, what(f, c));
            return;
        }
        Function<Map<String, Tensor>, Tensor> fn = unary(f, c, op);
        String[] names = switch (op) {
            case "maximum", "minimum", "div", "pow_tensor" -> new String[] {"a", "b"};
            case "batch_norm" -> new String[] {"input", "weight", "bias"};
            default -> new String[] {"input"};
        };
        check(f, c, fn, names);
    }

    /** The Tersor call for fixture op {@code op} with case {@code c}'s params. */
    private static Function<Map<String, Tensor>, Tensor> unary(Fixtures f, int c, String op) {
        return switch (op) {
            case "abs" -> in -> in.get("input").abs();
            case "sign" -> in -> in.get("input").sign();
            case "relu" -> in -> in.get("input").relu();
            case "neg" -> in -> in.get("input").neg();
            case "exp" -> in -> in.get("input").exp();
            case "sigmoid" -> in -> in.get("input").sigmoid();
            case "tanh" -> in -> in.get("input").tanh();
            case "gelu" -> in -> in.get("input").gelu();
            case "gelu_tanh" -> in -> in.get("input").gelu(GeluApproximation.TANH);
            case "silu" -> in -> in.get("input").silu();
            case "leaky_relu" -> in -> in.get("input").leakyRelu(number(f, c, "slope"));
            case "sqrt" -> in -> in.get("input").sqrt();
            case "log" -> in -> in.get("input").log();
            case "clamp" -> in -> in.get("input").clamp(number(f, c, "min"), number(f, c, "max"));
            case "hardtanh" -> in -> in.get("input").hardtanh(number(f, c, "min"), number(f, c, "max"));
            case "pow" -> in -> in.get("input").pow(number(f, c, "p"));
            case "maximum" -> in -> in.get("a").maximum(in.get("b"));
            case "minimum" -> in -> in.get("a").minimum(in.get("b"));
            case "div" -> in -> in.get("a").div(in.get("b"));
            case "pow_tensor" -> in -> in.get("a").pow(in.get("b"));
            case "max" -> in -> in.get("input").max(axes(f, c), flag(f, c, "keepdim"));
            case "min" -> in -> in.get("input").min(axes(f, c), flag(f, c, "keepdim"));
            case "sum" -> in -> in.get("input").sum(axes(f, c), flag(f, c, "keepdim"));
            case "mean" -> in -> in.get("input").mean(axes(f, c), flag(f, c, "keepdim"));
            case "logsumexp" -> in -> in.get("input").logSumExp(axes(f, c), flag(f, c, "keepdim"));
            case "var" -> in -> in.get("input").var(axes(f, c), flag(f, c, "unbiased"), false);
            case "std" -> in -> in.get("input").std(axes(f, c), flag(f, c, "unbiased"), false);
            case "norm" -> in -> in.get("input").norm(number(f, c, "p"), axes(f, c), flag(f, c, "keepdim"));
            case "softmax" -> in -> in.get("input").softmax(f.ints(c, "dim")[0]);
            case "log_softmax" -> in -> in.get("input").logSoftmax(f.ints(c, "dim")[0]);
            case "max_pool2d" -> {
                int[] k = f.ints(c, "kernel"), s = f.ints(c, "stride"), p = f.ints(c, "padding");
                Pool2dOptions o = new Pool2dOptions(k[0], k[1], s[0], s[1], p[0], p[1], 1, 1, false, false);
                yield in -> Functional.maxPool2d(in.get("input"), o);
            }
            case "batch_norm" -> in -> Functional.batchNorm(in.get("input"), in.get("weight"), in.get("bias"), null, null,
                    true, 0.1f, number(f, c, "eps"));
            case "index_select" -> in -> Functional.indexSelect(in.get("input"), f.ints(c, "dim")[0],
                    IntTensor.of(f.ints(c, "index"), f.ints(c, "index").length));
            default -> throw new AssertionError("edge case " + c + ": no Tersor op for fixture op " + op);
        };
    }

    @Test
    void rewrittenGradientsMatchFiniteDifferencesAwayFromKinks() {
        GradCheck.check(in -> in[0].norm(1.5f, new int[] {1}, false), GradCheck.leaf(21, 3, 4));
        GradCheck.check(in -> in[0].norm(0.5f, new int[] {0}, true), GradCheck.leaf(22, 3, 4));
        GradCheck.check(in -> in[0].norm(Float.POSITIVE_INFINITY, new int[] {1}, false), GradCheck.leaf(23, 3, 4));
        GradCheck.check(in -> in[0].std(new int[] {1}, true, false), GradCheck.leaf(24, 3, 4));
        GradCheck.check(in -> in[0].gelu(GeluApproximation.TANH), GradCheck.leaf(25, 2, 5));
        Tensor base = Tensor.rand(new Generator(26), 2, 3).add(0.5f).requiresGrad(true);
        GradCheck.check(in -> in[0].pow(in[1]), base, GradCheck.leaf(27, 2, 3));
    }

    @Test
    void badNormOrderIsNamed() {
        var e = assertThrows(IllegalArgumentException.class, () -> Tensor.ones(3).norm(0f, new int[0], false));
        assertTrue(e.getMessage().contains("p must be positive") && e.getMessage().contains("0.0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Tensor.ones(3).norm(Float.NEGATIVE_INFINITY, new int[0], false));
        assertThrows(IllegalArgumentException.class, () -> Tensor.ones(3).gelu(null));
    }

    private static int[] axes(Fixtures f, int c) {
        return f.params(c).containsKey("dim") ? f.ints(c, "dim") : new int[0];
    }

    private static boolean flag(Fixtures f, int c, String key) {
        return f.param(c, key).equals("1");
    }

    private static float number(Fixtures f, int c, String key) {
        String v = f.param(c, key);
        return v.equals("inf") ? Float.POSITIVE_INFINITY : Float.parseFloat(v);
    }

    private static Tensor input(Fixtures f, int c, String name) {
        return Tensor.fromArray(f.data(c, name), f.shape(c, name));
    }

    private static String what(Fixtures f, int c) {
        return f.name() + " case " + c + " " + f.params(c);
    }

    private static void check(Fixtures f, int c, Function<Map<String, Tensor>, Tensor> fn, String... names) {
        String what = what(f, c);
        Map<String, Tensor> in = new LinkedHashMap<>();
        for (String n : names) in.put(n, input(f, c, n).requiresGrad(true));
        Tensor out = fn.apply(in);
        assertArrayEquals(f.shape(c, "output"), out.shape(), what + ": output shape");
        Fixtures.assertClose(f.data(c, "output"), out.toArray(), ATOL, RTOL, what + ": output");
        out.backward(input(f, c, "grad_output"));
        for (Map.Entry<String, Tensor> e : in.entrySet()) {
            Fixtures.assertClose(f.data(c, "grad_" + e.getKey()), e.getValue().grad().toArray(), ATOL, RTOL,
                    what + ": grad_" + e.getKey());
        }
    }
}
