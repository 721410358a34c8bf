package dev.tersor.nn.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.nn.Parameter;
import dev.tersor.tensor.Tensor;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Skipping, groups and validation. */
class OptimizerBehaviourTest {

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.tersor.nn.optim.OptimizerCases#all")
    void frozenParametersAndParametersWithoutGradientAreUntouched(OptimizerCases.Case c) {
        Golden golden = Golden.load();
        var params = new java.util.LinkedHashMap<String, Parameter>();
        for (String n : c.params()) params.put(n, golden.parameter(n));
        Optimizer<?> opt = c.make().apply(params);
        Parameter a = params.get("a");
        float[] before = a.value().toArray();
        // frozen: a stale gradient from before freezing must not be applied
        golden.setGrad(a, "a", 1);
        a.setRequiresGrad(false);
        opt.step();
        assertArrayEquals(before, a.value().toArray());
        assertEquals(0, opt.state(0).step());
        assertTrue(opt.state(0).buffers().isEmpty());
        // unfrozen but without gradient
        a.setRequiresGrad(true);
        a.zeroGrad();
        opt.step();
        assertArrayEquals(before, a.value().toArray());
        // with a gradient it moves
        golden.setGrad(a, "a", 1);
        opt.step();
        assertNotEquals(before[0], a.value().toArray()[0]);
    }

    @Test
    void zeroGradForgetsEveryGradient() {
        Parameter a = new Parameter(Tensor.ones(2)), b = new Parameter(Tensor.ones(3));
        var sgd = new Sgd(List.of(new ParamGroup<>(List.of(a), Sgd.options(0.1).build()),
                new ParamGroup<>(List.of(b), Sgd.options(0.1).build())));
        Golden.setGrad(a, Tensor.ones(2));
        Golden.setGrad(b, Tensor.ones(3));
        sgd.zeroGrad();
        assertNull(a.grad());
        assertNull(b.grad());
    }

    @Test
    void stepWorksInsideAndOutsideANoGradScopeAndRecordsNothing() {
        Parameter p = new Parameter(Tensor.ones(2));
        var adam = new Adam(List.of(p), Adam.options().build());
        Golden.setGrad(p, Tensor.ones(2));
        adam.step();
        assertTrue(p.value().isLeaf());
        assertTrue(p.value().requiresGrad());
        try (var g = Tensor.noGrad()) {
            adam.step();
        }
        assertTrue(p.value().isLeaf());
    }

    @Test
    void groupsUseTheirOwnLrAndWeightDecay() {
        Parameter a = new Parameter(Tensor.ones(2)), b = new Parameter(Tensor.ones(2));
        var sgd = new Sgd(List.of(new ParamGroup<>(List.of(a), Sgd.options(0.1).build()),
                new ParamGroup<>(List.of(b), Sgd.options(0.01).weightDecay(0.5).build())));
        Golden.setGrad(a, Tensor.ones(2));
        Golden.setGrad(b, Tensor.ones(2));
        sgd.step();
        assertEquals(1 - 0.1f, a.value().get(0), 1e-7);
        assertEquals(1 - 0.01f * (1 + 0.5f), b.value().get(0), 1e-7);
        sgd.groups().get(1).setLr(0.1);
        Golden.setGrad(b, Tensor.ones(2));
        float b0 = b.value().get(0);
        sgd.step();
        assertEquals(b0 - 0.1f * (1 + 0.5f * b0), b.value().get(0), 1e-6);
    }

    @Test
    void addParamGroupExtendsTheOptimizer() {
        Parameter a = new Parameter(Tensor.ones(2)), b = new Parameter(Tensor.ones(2));
        var adam = new Adam(List.of(a), Adam.options().build());
        adam.addParamGroup(new ParamGroup<>(List.of(b), Adam.options().lr(0.1).build()));
        assertEquals(2, adam.groups().size());
        assertEquals(2, adam.parameterCount());
        Golden.setGrad(b, Tensor.ones(2));
        adam.step();
        assertEquals(1 - 0.1f, b.value().get(0), 1e-6);
        assertEquals("0", adam.stateDict().metadata().get("param_groups.0.params"));
        assertEquals("1", adam.stateDict().metadata().get("param_groups.1.params"));
    }

    @Test
    void aParameterMayBelongToOneGroupOnly() {
        Parameter a = new Parameter(Tensor.ones(2)), b = new Parameter(Tensor.ones(2));
        var o = Sgd.options(0.1).build();
        var e = assertThrows(IllegalArgumentException.class, () -> new Sgd(List.of(a, b, a), o));
        assertTrue(e.getMessage().contains("[2]"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> new Sgd(List.of(new ParamGroup<>(List.of(a), o), new ParamGroup<>(List.of(b, a), o))));
        var sgd = new Sgd(List.of(a), o);
        assertThrows(IllegalArgumentException.class, () -> sgd.addParamGroup(new ParamGroup<>(List.of(a), o)));
        assertThrows(IllegalArgumentException.class, () -> new Sgd(List.of(), o));
    }

    private static void rejects(String field, Executable build) {
        var e = assertThrows(IllegalArgumentException.class, build);
        assertTrue(e.getMessage().contains(field), () -> "'" + e.getMessage() + "' does not name " + field);
    }

    @Test
    void optionsAreValidatedNamingTheField() {
        rejects("lr", () -> Sgd.options(-0.1).build());
        rejects("lr", () -> Sgd.options(Double.NaN).build());
        rejects("momentum", () -> Sgd.options(0.1).momentum(-0.5).build());
        rejects("weightDecay", () -> Sgd.options(0.1).weightDecay(-1).build());
        rejects("nesterov", () -> Sgd.options(0.1).nesterov(true).build());
        rejects("nesterov", () -> Sgd.options(0.1).momentum(0.9).dampening(0.1).nesterov(true).build());
        rejects("lr", () -> Adam.options().lr(-1).build());
        rejects("beta1", () -> Adam.options().betas(1.0, 0.999).build());
        rejects("beta2", () -> Adam.options().betas(0.9, -0.1).build());
        rejects("eps", () -> Adam.options().eps(-1e-8).build());
        rejects("weightDecay", () -> AdamW.options().weightDecay(-0.01).build());
        rejects("alpha", () -> RmsProp.options().alpha(-0.9).build());
        rejects("momentum", () -> RmsProp.options().momentum(-0.9).build());
        rejects("eps", () -> RmsProp.options().eps(Double.POSITIVE_INFINITY).build());
        rejects("lr", () -> new Sgd(List.of(new Parameter(Tensor.ones(1))), Sgd.options(0.1).build()).groups().get(0).setLr(-1));
    }

    @Test
    void defaultsMatchPyTorch() {
        assertEquals(new Adam.Options(1e-3, 0.9, 0.999, 1e-8, 0, false), Adam.options().build());
        assertEquals(new Adam.Options(1e-3, 0.9, 0.999, 1e-8, 1e-2, false), AdamW.options().build());
        assertEquals(new RmsProp.Options(1e-2, 0.99, 1e-8, 0, 0, false), RmsProp.options().build());
        assertEquals(new Sgd.Options(0.1, 0, 0, 0, false), Sgd.options(0.1).build());
        Supplier<Sgd.Options> o = () -> Sgd.options(0.1).momentum(0.9).nesterov(true).build();
        assertEquals(o.get(), o.get().toBuilder().build());
        assertEquals(o.get(), Sgd.Options.fromMap(o.get().toMap()));
        var adam = Adam.options().amsgrad(true).betas(0.5, 0.25).build();
        assertEquals(adam, Adam.Options.fromMap(adam.toMap()));
        var rms = RmsProp.options().centered(true).momentum(0.3).build();
        assertEquals(rms, RmsProp.Options.fromMap(rms.toMap()));
    }
}
