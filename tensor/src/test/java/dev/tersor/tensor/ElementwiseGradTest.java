package dev.tersor.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Finite-difference checks of every differentiable elementwise op, and exact goldens at kinks. */
class ElementwiseGradTest {

    /** Inputs kept away from 0 so kinks (relu, abs, clamp) are not straddled by ±eps. */
    private static Tensor offKink(long seed, int... shape) {
        Tensor t = Tensor.randn(new Generator(seed), shape);
        float[] d = t.toArray();
        for (int i = 0; i < d.length; i++) d[i] = d[i] >= 0 ? d[i] + 0.1f : d[i] - 0.1f;
        return Tensor.fromArray(d, shape).requiresGrad(true);
    }

    private static Tensor positive(long seed, int... shape) {
        Tensor t = Tensor.rand(new Generator(seed), shape);
        float[] d = t.toArray();
        for (int i = 0; i < d.length; i++) d[i] = 0.5f + d[i];
        return Tensor.fromArray(d, shape).requiresGrad(true);
    }

    static Stream<Arguments> unaryOps() {
        return Stream.of(
                Arguments.of("neg", (Function<Tensor, Tensor>) Tensor::neg, false),
                Arguments.of("exp", (Function<Tensor, Tensor>) Tensor::exp, false),
                Arguments.of("log", (Function<Tensor, Tensor>) Tensor::log, true),
                Arguments.of("sqrt", (Function<Tensor, Tensor>) Tensor::sqrt, true),
                Arguments.of("abs", (Function<Tensor, Tensor>) Tensor::abs, false),
                Arguments.of("relu", (Function<Tensor, Tensor>) Tensor::relu, false),
                Arguments.of("leakyRelu", (Function<Tensor, Tensor>) x -> x.leakyRelu(0.1f), false),
                Arguments.of("sigmoid", (Function<Tensor, Tensor>) Tensor::sigmoid, false),
                Arguments.of("tanh", (Function<Tensor, Tensor>) Tensor::tanh, false),
                Arguments.of("gelu", (Function<Tensor, Tensor>) Tensor::gelu, false),
                Arguments.of("silu", (Function<Tensor, Tensor>) Tensor::silu, false),
                Arguments.of("hardtanh", (Function<Tensor, Tensor>) x -> x.hardtanh(-0.75f, 0.8f), false),
                Arguments.of("clamp", (Function<Tensor, Tensor>) x -> x.clamp(-0.7f, 0.9f), false),
                Arguments.of("pow3", (Function<Tensor, Tensor>) x -> x.pow(3f), false),
                Arguments.of("pow1.5", (Function<Tensor, Tensor>) x -> x.pow(1.5f), true),
                Arguments.of("addScalar", (Function<Tensor, Tensor>) x -> x.add(2.5f), false),
                Arguments.of("mulScalar", (Function<Tensor, Tensor>) x -> x.mul(-1.5f), false),
                Arguments.of("divScalar", (Function<Tensor, Tensor>) x -> x.div(4f), false),
                Arguments.of("sign", (Function<Tensor, Tensor>) Tensor::sign, false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unaryOps")
    void unaryGradientsMatchFiniteDifferences(String name, Function<Tensor, Tensor> op, boolean positiveOnly) {
        Tensor x = positiveOnly ? positive(7, 3, 5) : offKink(7, 3, 5);
        GradCheck.check(in -> op.apply(in[0]), x);
    }

    @ParameterizedTest(name = "{0} on a transposed view")
    @MethodSource("unaryOps")
    void unaryGradientsOnNonContiguousViews(String name, Function<Tensor, Tensor> op, boolean positiveOnly) {
        Tensor x = positiveOnly ? positive(8, 4, 3) : offKink(8, 4, 3);
        GradCheck.check(in -> op.apply(in[0].transpose(0, 1)), x);
    }

    static Stream<Arguments> binaryOps() {
        return Stream.of(
                Arguments.of("add", (java.util.function.BinaryOperator<Tensor>) Tensor::add),
                Arguments.of("sub", (java.util.function.BinaryOperator<Tensor>) Tensor::sub),
                Arguments.of("mul", (java.util.function.BinaryOperator<Tensor>) Tensor::mul),
                Arguments.of("div", (java.util.function.BinaryOperator<Tensor>) Tensor::div),
                Arguments.of("pow", (java.util.function.BinaryOperator<Tensor>) Tensor::pow),
                Arguments.of("maximum", (java.util.function.BinaryOperator<Tensor>) Tensor::maximum),
                Arguments.of("minimum", (java.util.function.BinaryOperator<Tensor>) Tensor::minimum));
    }

    @ParameterizedTest(name = "{0} same shape")
    @MethodSource("binaryOps")
    void binarySameShape(String name, java.util.function.BinaryOperator<Tensor> op) {
        GradCheck.check(in -> op.apply(in[0], in[1]), positive(1, 2, 3), positive(2, 2, 3));
    }

    @ParameterizedTest(name = "{0} broadcast [2,1,4] with [3,1]")
    @MethodSource("binaryOps")
    void binaryBroadcast(String name, java.util.function.BinaryOperator<Tensor> op) {
        GradCheck.check(in -> op.apply(in[0], in[1]), positive(3, 2, 1, 4), positive(4, 3, 1));
    }

    @ParameterizedTest(name = "{0} with a scalar tensor")
    @MethodSource("binaryOps")
    void binaryWithScalarTensor(String name, java.util.function.BinaryOperator<Tensor> op) {
        GradCheck.check(in -> op.apply(in[0], in[1]), positive(5, 3, 4), positive(6));
        GradCheck.check(in -> op.apply(in[1], in[0]), positive(5, 3, 4), positive(6));
    }

    @ParameterizedTest(name = "{0} on permuted and sliced views")
    @MethodSource("binaryOps")
    void binaryOnViews(String name, java.util.function.BinaryOperator<Tensor> op) {
        GradCheck.check(in -> op.apply(in[0].permute(2, 0, 1), in[1].slice(1, 0, 4, 2)),
                positive(9, 3, 2, 4), positive(10, 3, 4));
    }

    @Test
    void whereRoutesGradientsByCondition() {
        Tensor cond = Tensor.fromArray(new float[] {1, 0, 1}, 3);
        Tensor a = Tensor.fromArray(new float[] {1, 2, 3}, 3).requiresGrad(true);
        Tensor b = Tensor.fromArray(new float[] {10, 20, 30}, 1, 3).requiresGrad(true);
        Tensor y = Tensor.where(cond, a, b);
        assertArrayEquals(new float[] {1, 20, 3}, y.toArray());
        y.backward(Tensor.fromArray(new float[] {5, 6, 7}, 1, 3));
        assertArrayEquals(new float[] {5, 0, 7}, a.grad().toArray());
        assertArrayEquals(new float[] {0, 6, 0}, b.grad().toArray());
    }

    @Test
    void whereGradCheckWithBroadcasting() {
        Tensor cond = Tensor.fromArray(new float[] {1, 0, 0, 1}, 4, 1);
        GradCheck.check(in -> Tensor.where(cond, in[0], in[1]), positive(1, 4, 3), positive(2, 3));
    }

    /** Exact gradients at the kinks, as PyTorch defines them. */
    @Test
    void kinksHaveThePyTorchSubgradients() {
        Tensor x = Tensor.fromArray(new float[] {-1f, 0f, 1f, -1f, 2f}, 5).requiresGrad(true);
        x.relu().sum().backward();
        assertArrayEquals(new float[] {0, 0, 1, 0, 1}, x.grad().toArray(), "relu'(0) = 0");
        x.zeroGrad();
        // where the output is 0 the gradient is 0 even if the incoming one is NaN (PyTorch: [0, 3, 0])
        Tensor y = Tensor.fromArray(new float[] {-1f, 2f, 0f}, 3).requiresGrad(true);
        y.relu().mul(Tensor.fromArray(new float[] {Float.NaN, 3f, Float.NaN}, 3)).sum().backward();
        assertArrayEquals(new float[] {0, 3, 0}, y.grad().toArray(), "relu backward masks NaN");
        // second order: the gradient of relu's backward flows to the incoming gradient only
        Tensor z = Tensor.fromArray(new float[] {-1f, 2f}, 2);
        Tensor g = Tensor.fromArray(new float[] {5f, 7f}, 2).requiresGrad(true);
        Elementwise.reluGrad(g, z.relu()).mul(Tensor.fromArray(new float[] {1f, 10f}, 2)).sum().backward();
        assertArrayEquals(new float[] {0, 10}, g.grad().toArray(), "d reluGrad / d g");
        x.zeroGrad();
        x.abs().sum().backward();
        assertArrayEquals(new float[] {-1, 0, 1, -1, 1}, x.grad().toArray(), "abs'(0) = 0");
        x.zeroGrad();
        x.clamp(-1f, 1f).sum().backward();
        assertArrayEquals(new float[] {1, 1, 1, 1, 0}, x.grad().toArray(), "clamp passes at the bounds (inclusive)");
        x.zeroGrad();
        x.hardtanh(-1f, 1f).sum().backward();
        assertArrayEquals(new float[] {0, 1, 0, 0, 0}, x.grad().toArray(), "hardtanh stops at the bounds (exclusive)");
        x.zeroGrad();
        x.leakyRelu(0.25f).sum().backward();
        assertArrayEquals(new float[] {0.25f, 0.25f, 1, 0.25f, 1}, x.grad().toArray(), "leaky_relu'(0) = slope");
        x.zeroGrad();
        x.sign().sum().backward();
        assertArrayEquals(new float[] {0, 0, 0, 0, 0}, x.grad().toArray());
    }

    @Test
    void maximumSplitsTiedGradientsEvenly() {
        Tensor a = Tensor.fromArray(new float[] {1, 2, 3}, 3).requiresGrad(true);
        Tensor b = Tensor.fromArray(new float[] {3, 2, 1}, 3).requiresGrad(true);
        a.maximum(b).sum().backward();
        assertArrayEquals(new float[] {0, 0.5f, 1}, a.grad().toArray());
        assertArrayEquals(new float[] {1, 0.5f, 0}, b.grad().toArray());
    }

    @Test
    void powOfZeroBaseHasZeroExponentGradient() {
        Tensor a = Tensor.fromArray(new float[] {0f, 2f}, 2).requiresGrad(true);
        Tensor b = Tensor.fromArray(new float[] {2f, 3f}, 2).requiresGrad(true);
        a.pow(b).sum().backward();
        assertArrayEquals(new float[] {0f, 12f}, a.grad().toArray(), 1e-5f);
        assertEquals(0f, b.grad().toArray()[0], "d(0^b)/db is 0 for b >= 0, not NaN");
        assertEquals((float) (8 * Math.log(2)), b.grad().toArray()[1], 1e-5f);
    }

    @Test
    void forwardValuesMatchHandComputedGoldens() {
        Tensor x = Tensor.fromArray(new float[] {-2f, -0.5f, 0f, 0.5f, 2f}, 5);
        assertArrayEquals(new float[] {0.11920292f, 0.37754067f, 0.5f, 0.62245933f, 0.88079708f}, x.sigmoid().toArray(), 1e-6f);
        assertArrayEquals(new float[] {-0.04550027f, -0.15426877f, 0f, 0.34573123f, 1.95449973f}, x.gelu().toArray(), 1e-6f);
        assertArrayEquals(new float[] {-0.23840584f, -0.18877033f, 0f, 0.31122967f, 1.76159416f}, x.silu().toArray(), 1e-6f);
        assertArrayEquals(new float[] {-0.96402758f, -0.46211716f, 0f, 0.46211716f, 0.96402758f}, x.tanh().toArray(), 1e-6f);
        assertArrayEquals(new float[] {-1, -1, 0, 1, 1}, x.sign().toArray());
        assertArrayEquals(new float[] {-0.2f, -0.05f, 0f, 0.5f, 2f}, x.leakyRelu(0.1f).toArray(), 1e-7f);
    }

    @Test
    void sigmoidIsStableForLargeInputs() {
        Tensor x = Tensor.fromArray(new float[] {-200f, 200f}, 2);
        assertArrayEquals(new float[] {0f, 1f}, x.sigmoid().toArray());
    }

    @Test
    void comparisonsGiveZeroOrOne() {
        Tensor a = Tensor.fromArray(new float[] {1, 2, 3}, 3);
        Tensor b = Tensor.fromArray(new float[] {2, 2, 2}, 3);
        assertArrayEquals(new float[] {0, 1, 0}, a.eq(b).toArray());
        assertArrayEquals(new float[] {1, 0, 1}, a.ne(b).toArray());
        assertArrayEquals(new float[] {1, 0, 0}, a.lt(b).toArray());
        assertArrayEquals(new float[] {1, 1, 0}, a.le(b).toArray());
        assertArrayEquals(new float[] {0, 0, 1}, a.gt(b).toArray());
        assertArrayEquals(new float[] {0, 1, 1}, a.ge(b).toArray());
        assertEquals(false, a.requiresGrad(a.requiresGrad()).gt(0f).requiresGrad());
    }

    @Test
    void broadcastingFollowsNumPyRules() {
        Tensor a = Tensor.arange(3).reshape(3, 1);
        Tensor b = Tensor.arange(4).mul(10f);
        Tensor c = a.add(b);
        assertArrayEquals(new int[] {3, 4}, c.shape());
        assertArrayEquals(new float[] {0, 10, 20, 30, 1, 11, 21, 31, 2, 12, 22, 32}, c.toArray());
    }

    @Test
    void incompatibleShapesNameTheOpAndBothShapes() {
        Tensor a = Tensor.zeros(2, 3);
        Tensor b = Tensor.zeros(4);
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> a.add(b));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("add") && e.getMessage().contains("[2, 3]")
                && e.getMessage().contains("[4]"), e.getMessage());
    }
}
