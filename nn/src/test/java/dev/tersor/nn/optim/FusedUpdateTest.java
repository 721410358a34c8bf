package dev.tersor.nn.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.nn.Parameter;
import dev.tersor.tensor.Generator;
import dev.tersor.tensor.Tensor;
import dev.tersor.tensor.backend.Parallel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The fused update loops: buffers reused, thread count irrelevant, odd layouts handled. */
class FusedUpdateTest {
    /** Above {@link FusedUpdate#GRAIN}: three chunks' worth, so two threads split it. */
    static final int LARGE = 100_000;

    record Variant(String name, Function<List<Parameter>, Optimizer<?>> make) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** Every branch of every loop. */
    static Stream<Variant> variants() {
        return Stream.of(
                new Variant("sgd", p -> new Sgd(p, Sgd.options(0.1).build())),
                new Variant("sgd_weight_decay", p -> new Sgd(p, Sgd.options(0.1).weightDecay(0.05).build())),
                new Variant("sgd_momentum_dampening", p -> new Sgd(p, Sgd.options(0.1).momentum(0.9).dampening(0.3).build())),
                new Variant("sgd_nesterov_weight_decay",
                        p -> new Sgd(p, Sgd.options(0.1).momentum(0.9).nesterov(true).weightDecay(0.05).build())),
                new Variant("adam", p -> new Adam(p, Adam.options().lr(0.01).build())),
                new Variant("adam_weight_decay", p -> new Adam(p, Adam.options().lr(0.01).weightDecay(0.1).build())),
                new Variant("adam_amsgrad", p -> new Adam(p, Adam.options().lr(0.01).amsgrad(true).build())),
                new Variant("adamw", p -> new AdamW(p, AdamW.options().lr(0.01).weightDecay(0.1).build())),
                new Variant("adamw_amsgrad", p -> new AdamW(p, AdamW.options().lr(0.01).weightDecay(0.1).amsgrad(true).build())),
                new Variant("rmsprop", p -> new RmsProp(p, RmsProp.options().lr(0.01).build())),
                new Variant("rmsprop_centered", p -> new RmsProp(p, RmsProp.options().lr(0.01).centered(true).build())),
                new Variant("rmsprop_momentum_weight_decay",
                        p -> new RmsProp(p, RmsProp.options().lr(0.01).momentum(0.9).weightDecay(0.1).build())),
                new Variant("rmsprop_centered_momentum",
                        p -> new RmsProp(p, RmsProp.options().lr(0.01).alpha(0.95).centered(true).momentum(0.5).build())));
    }

    private static Tensor randn(long seed, float scale, int... shape) {
        return Tensor.randn(new Generator(seed), shape).mul(scale);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.tersor.nn.optim.OptimizerCases#all")
    void stepsAfterTheFirstReuseTheParameterAndEveryBuffer(OptimizerCases.Case c) {
        Golden golden = Golden.load();
        Map<String, Parameter> params = new LinkedHashMap<>();
        for (String n : c.params()) params.put(n, golden.parameter(n));
        Optimizer<?> opt = c.make().apply(params);
        for (int step = 1; step <= 2; step++) {
            for (var e : params.entrySet()) golden.setGrad(e.getValue(), e.getKey(), step);
            opt.step();
        }
        List<Object> before = holders(opt, params.values());
        for (int step = 3; step <= Golden.STEPS; step++) {
            for (var e : params.entrySet()) golden.setGrad(e.getValue(), e.getKey(), step);
            opt.step();
            List<Object> after = holders(opt, params.values());
            assertEquals(before.size(), after.size(), "number of tensors and arrays");
            for (int i = 0; i < before.size(); i++) assertSame(before.get(i), after.get(i), "tensor or array " + i);
        }
    }

    /** Each parameter tensor and buffer, each followed by its backing array. */
    private static List<Object> holders(Optimizer<?> opt, Iterable<Parameter> params) {
        List<Object> out = new ArrayList<>();
        try (var g = Tensor.noGrad()) {
            int i = 0;
            for (Parameter p : params) {
                out.add(p.value());
                out.add(p.value().data());
                for (Tensor b : opt.state(i++).buffers().values()) {
                    out.add(b);
                    out.add(b.data());
                }
            }
        }
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void twoThreadsGiveExactlyTheResultOfOne(Variant v) {
        int threads = Parallel.threads();
        try {
            Parallel.setThreads(1);
            List<float[]> one = run(v);
            Parallel.setThreads(2);
            List<float[]> two = run(v);
            assertEquals(one.size(), two.size());
            for (int i = 0; i < one.size(); i++) assertArrayEquals(one.get(i), two.get(i), "tensor " + i);
        } finally {
            Parallel.setThreads(threads);
        }
    }

    /** Three steps on a {@link #LARGE} parameter: its values, then its buffers' values. */
    private static List<float[]> run(Variant v) {
        Parameter p = new Parameter(randn(1, 1f, LARGE));
        Optimizer<?> opt = v.make().apply(List.of(p));
        float[] start = p.value().toArray();
        for (int step = 1; step <= 3; step++) {
            Golden.setGrad(p, randn(10 + step, 0.1f * step, LARGE));
            opt.step();
        }
        float[] end = p.value().toArray();
        assertNotEquals(start[LARGE - 1], end[LARGE - 1], "the last chunk was updated");
        List<float[]> out = new ArrayList<>();
        out.add(end);
        for (Tensor b : opt.state(0).buffers().values()) out.add(b.toArray());
        return out;
    }

    @Test
    void gradClipNormAndScalingDoNotDependOnTheThreadCount() {
        int threads = Parallel.threads();
        try {
            for (double type : new double[] {2, 1, 3, Double.POSITIVE_INFINITY}) {
                Parallel.setThreads(1);
                Parameter a = new Parameter(Tensor.zeros(LARGE));
                Golden.setGrad(a, randn(5, 1f, LARGE));
                double normOne = GradClip.clipGradNorm(List.of(a), 0.5, type);
                Parallel.setThreads(2);
                Parameter b = new Parameter(Tensor.zeros(LARGE));
                Golden.setGrad(b, randn(5, 1f, LARGE));
                assertEquals(normOne, GradClip.clipGradNorm(List.of(b), 0.5, type), 0.0, "norm " + type);
                assertArrayEquals(a.grad().toArray(), b.grad().toArray(), "norm " + type);
                assertEquals(0.5, GradClip.clipGradNorm(List.of(b), 1e9, type), 1e-5, "norm " + type + " after clipping");
            }
        } finally {
            Parallel.setThreads(threads);
        }
    }

    @Test
    void gradClipNormOfALargeGradientMatchesDoubleArithmetic() {
        Tensor g = randn(7, 1f, LARGE);
        double sumSquares = 0, max = 0;
        for (float x : g.toArray()) {
            sumSquares += (double) x * x;
            max = Math.max(max, Math.abs(x));
        }
        try (var scope = Tensor.noGrad()) {
            assertEquals(Math.sqrt(sumSquares), GradClip.norm(g, 2), 1e-5 * Math.sqrt(sumSquares));
            assertEquals(max, GradClip.norm(g, Double.POSITIVE_INFINITY), 0.0);
        }
    }

    /**
     * A parameter and gradient laid out otherwise (a transposed view; a slice starting further
     * into its array) get the values of the dense case. Leaf gradients from backward are always
     * dense, so those are passed to {@code update} directly.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void stridedOrOffsetParametersAndGradientsGetTheSameUpdate(Variant v) {
        Parameter plain = new Parameter(randn(2, 1f, 6, 5));
        Parameter strided = new Parameter(transposedView(randn(2, 1f, 6, 5)));
        Parameter offset = new Parameter(sliceAtOffset(randn(2, 1f, 6, 5)));
        assertFalse(strided.value().isContiguous());
        assertNotEquals(0, offset.value().dataOffset());
        Tensor stridedValue = strided.value(), offsetValue = offset.value();
        Optimizer<?> plainOpt = v.make().apply(List.of(plain));
        Optimizer<?> stridedOpt = v.make().apply(List.of(strided)), offsetOpt = v.make().apply(List.of(offset));
        for (int step = 1; step <= 3; step++) {
            Tensor g = randn(20 + step, 0.1f, 6, 5);
            Golden.setGrad(plain, g);
            plainOpt.step();
            update(stridedOpt, strided, transposedView(g));
            update(offsetOpt, offset, sliceAtOffset(g));
            assertArrayEquals(plain.value().toArray(), strided.value().toArray(), v + " strided, step " + step);
            assertArrayEquals(plain.value().toArray(), offset.value().toArray(), v + " offset, step " + step);
        }
        assertSame(stridedValue, strided.value(), "updated in place");
        assertSame(offsetValue, offset.value(), "updated in place");
        for (Tensor b : stridedOpt.state(0).buffers().values()) assertTrue(FusedUpdate.isDense(b));
    }

    /** {@code t}'s values in a non-contiguous layout. */
    private static Tensor transposedView(Tensor t) {
        return t.transpose(0, 1).contiguous().transpose(0, 1);
    }

    /** {@code t}'s values (shape [6, 5]) as a contiguous slice starting at element 30 of its array. */
    private static Tensor sliceAtOffset(Tensor t) {
        return Tensor.cat(0, Tensor.ones(6, 5), t).narrow(0, 6, 6);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void update(Optimizer opt, Parameter p, Tensor grad) {
        try (var g = Tensor.noGrad()) {
            opt.update(p.value(), grad, opt.state(0), ((ParamGroup) opt.groups().get(0)).options());
        }
    }

    @Test
    void aBufferSetInAnotherLayoutIsReplacedOnceByADenseCopy() {
        Parameter a = new Parameter(randn(2, 1f, 4, 3)), b = new Parameter(randn(2, 1f, 4, 3));
        Adam ra = new Adam(List.of(a), Adam.options().lr(0.01).build()), rb = new Adam(List.of(b), Adam.options().lr(0.01).build());
        Tensor g = randn(3, 0.1f, 4, 3);
        Golden.setGrad(a, g);
        Golden.setGrad(b, g);
        ra.step();
        rb.step();
        Tensor m = rb.state(0).buffer(Adam.EXP_AVG);
        Tensor strided = m.transpose(0, 1).contiguous().transpose(0, 1);
        rb.state(0).setBuffer(Adam.EXP_AVG, strided);
        Golden.setGrad(a, g);
        Golden.setGrad(b, g);
        ra.step();
        rb.step();
        assertArrayEquals(a.value().toArray(), b.value().toArray());
        Tensor replaced = rb.state(0).buffer(Adam.EXP_AVG);
        assertTrue(replaced.isContiguous());
        assertArrayEquals(ra.state(0).buffer(Adam.EXP_AVG).toArray(), replaced.toArray());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void aStepMarksTheParameterAndItsBuffersModified(Variant v) {
        Parameter p = new Parameter(randn(2, 1f, 7));
        Optimizer<?> opt = v.make().apply(List.of(p));
        Golden.setGrad(p, randn(3, 0.1f, 7));
        opt.step();
        Golden.setGrad(p, randn(4, 0.1f, 7));
        List<Tensor> graphs = new ArrayList<>();
        graphs.add(p.value().mul(p.value()).sum());   // saves the parameter
        for (Tensor b : opt.state(0).buffers().values()) {
            graphs.add(Tensor.ones(7).requiresGrad(true).mul(b).sum());   // saves the buffer
        }
        opt.step();
        for (Tensor y : graphs) {
            var e = assertThrows(IllegalStateException.class, y::backward);
            assertTrue(e.getMessage().contains("modified in place"), e.getMessage());
        }
    }

    @Test
    void gradClipMarksTheGradientModified() {
        Parameter p = new Parameter(Tensor.zeros(3));
        Golden.setGrad(p, Tensor.fromArray(new float[] {3, 4, 12}, 3));
        Tensor y = Tensor.ones(3).requiresGrad(true).mul(p.grad()).sum();
        GradClip.clipGradNorm(List.of(p), 1.0);
        assertThrows(IllegalStateException.class, y::backward);
    }

    @Test
    void aGradientOfTheWrongSizeIsAClearError() {
        Parameter p = new Parameter(Tensor.ones(3));
        var sgd = new Sgd(List.of(p), Sgd.options(0.1).build());
        var e = assertThrows(IllegalStateException.class, () -> {
            try (var g = Tensor.noGrad()) {
                sgd.update(p.value(), Tensor.ones(4), sgd.state(0), sgd.groups().get(0).options());
            }
        });
        assertTrue(e.getMessage().contains("[4]") && e.getMessage().contains("[3]"), e.getMessage());
    }
}
