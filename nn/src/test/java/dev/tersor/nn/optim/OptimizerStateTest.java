package dev.tersor.nn.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.nn.Parameter;
import dev.tersor.nn.io.Safetensors;
import dev.tersor.nn.io.SafetensorsFile;
import dev.tersor.tensor.Tensor;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Saving and restoring optimizer state. */
class OptimizerStateTest {

    private static Map<String, Parameter> fresh(OptimizerCases.Case c) {
        Map<String, Parameter> params = new LinkedHashMap<>();
        for (String n : c.params()) params.put(n, Golden.load().parameter(n));
        return params;
    }

    private static void run(Optimizer<?> opt, Map<String, Parameter> params, int from, int to) {
        for (int step = from; step <= to; step++) {
            for (var e : params.entrySet()) Golden.load().setGrad(e.getValue(), e.getKey(), step);
            opt.step();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.tersor.nn.optim.OptimizerCases#all")
    void resumingFromAStateDictEqualsRunningThrough(OptimizerCases.Case c) {
        Map<String, Parameter> through = fresh(c);
        run(c.make().apply(through), through, 1, Golden.STEPS);

        Map<String, Parameter> first = fresh(c);
        Optimizer<?> before = c.make().apply(first);
        run(before, first, 1, 3);
        OptimizerState saved = roundTripStrings(before.stateDict());

        Map<String, Parameter> resumed = new LinkedHashMap<>();
        for (var e : first.entrySet()) {
            resumed.put(e.getKey(), new Parameter(Tensor.fromArray(e.getValue().value().toArray(), e.getValue().shape())));
        }
        Optimizer<?> after = c.make().apply(resumed);
        after.loadStateDict(saved);
        run(after, resumed, 4, Golden.STEPS);
        run(before, first, 4, Golden.STEPS);   // the saved copy must not share buffers with the original

        for (String n : through.keySet()) {
            assertArrayEquals(through.get(n).value().toArray(), resumed.get(n).value().toArray(), n);
            assertArrayEquals(through.get(n).value().toArray(), first.get(n).value().toArray(), n);
        }
    }

    /** What survives a file: tensors as float arrays, metadata as strings. */
    private static OptimizerState roundTripStrings(OptimizerState s) {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        s.tensors().forEach((k, v) -> tensors.put(k, Tensor.fromArray(v.toArray(), v.shape())));
        return new OptimizerState(tensors, new LinkedHashMap<>(s.metadata()));
    }

    @Test
    void checkpointThroughASafetensorsFile(@TempDir Path dir) throws Exception {
        OptimizerCases.Case c = OptimizerCases.ALL.stream().filter(x -> x.name().equals("adam_groups")).findFirst().orElseThrow();
        Map<String, Parameter> through = fresh(c);
        Optimizer<?> throughOpt = c.make().apply(through);
        LrScheduler throughSched = new StepLr(throughOpt, 2, 0.5);
        for (int step = 1; step <= Golden.STEPS; step++) {
            run(throughOpt, through, step, step);
            throughSched.step();
        }

        Map<String, Parameter> first = fresh(c);
        Optimizer<?> opt = c.make().apply(first);
        LrScheduler sched = new StepLr(opt, 2, 0.5);
        for (int step = 1; step <= 3; step++) {
            run(opt, first, step, step);
            sched.step();
        }
        OptimizerState state = opt.stateDict().withPrefix("optimizer.");
        Map<String, Tensor> tensors = new LinkedHashMap<>(state.tensors());
        first.forEach((n, p) -> tensors.put("model." + n, p.value()));
        Map<String, String> meta = new LinkedHashMap<>(state.metadata());
        sched.stateDict().forEach((k, v) -> meta.put("scheduler." + k, v));
        Path file = dir.resolve("checkpoint.safetensors");
        Safetensors.write(file, tensors, meta);

        Map<String, Parameter> resumed = fresh(c);
        Optimizer<?> opt2 = c.make().apply(resumed);
        LrScheduler sched2 = new StepLr(opt2, 2, 0.5);
        try (SafetensorsFile f = Safetensors.read(file)) {
            Map<String, Tensor> read = f.tensors();
            try (var g = Tensor.noGrad()) {
                resumed.forEach((n, p) -> p.value().copyInPlace(read.get("model." + n)));
            }
            opt2.loadStateDict(OptimizerState.extract("optimizer.", read, f.metadata()));
            Map<String, String> schedState = new LinkedHashMap<>();
            f.metadata().forEach((k, v) -> {
                if (k.startsWith("scheduler.")) schedState.put(k.substring("scheduler.".length()), v);
            });
            sched2.loadStateDict(schedState);
        }
        for (int step = 4; step <= Golden.STEPS; step++) {
            run(opt2, resumed, step, step);
            sched2.step();
        }
        for (String n : through.keySet()) assertArrayEquals(through.get(n).value().toArray(), resumed.get(n).value().toArray(), n);
        assertArrayEquals(throughSched.lastLr(), sched2.lastLr());
    }

    @Test
    void adamStateDictLayout() {
        Parameter a = new Parameter(Tensor.ones(2, 3));
        Parameter b = new Parameter(Tensor.ones(4));
        Parameter c = new Parameter(Tensor.ones(1));
        var adam = new Adam(List.of(
                new ParamGroup<>(List.of(a, b), Adam.options().lr(0.01).amsgrad(true).build()),
                new ParamGroup<>(List.of(c), Adam.options().lr(0.5).betas(0.8, 0.9).build())));
        Golden.setGrad(a, Tensor.ones(2, 3));
        Golden.setGrad(c, Tensor.ones(1));
        adam.step();
        adam.step();
        OptimizerState s = adam.stateDict();
        assertEquals(Set.of("state.0.exp_avg", "state.0.exp_avg_sq", "state.0.max_exp_avg_sq",
                "state.2.exp_avg", "state.2.exp_avg_sq"), s.tensors().keySet());
        assertArrayEquals(new int[] {2, 3}, s.tensors().get("state.0.exp_avg").shape());
        Map<String, String> m = s.metadata();
        assertEquals("Adam", m.get("optimizer"));
        assertEquals("2", m.get("param_groups"));
        assertEquals("0,1", m.get("param_groups.0.params"));
        assertEquals("2", m.get("param_groups.1.params"));
        assertEquals("0.01", m.get("param_groups.0.lr"));
        assertEquals("true", m.get("param_groups.0.amsgrad"));
        assertEquals("0.8", m.get("param_groups.1.beta1"));
        assertEquals("0.9", m.get("param_groups.1.beta2"));
        assertEquals("2", m.get("state.0.step"));
        assertEquals("2", m.get("state.2.step"));
        assertTrue(!m.containsKey("state.1.step"), "parameter without gradient has no state");
    }

    @Test
    void loadingRestoresHyperparametersIncludingScheduledLr() {
        Parameter p = new Parameter(Tensor.ones(3));
        var sgd = new Sgd(List.of(p), Sgd.options(0.1).momentum(0.9).build());
        sgd.groups().get(0).setLr(0.025);
        OptimizerState s = sgd.stateDict();
        var other = new Sgd(List.of(new Parameter(Tensor.ones(3))), Sgd.options(1.0).build());
        other.loadStateDict(s);
        assertEquals(0.025, other.groups().get(0).lr());
        assertEquals(0.9, other.groups().get(0).options().momentum());
    }

    @Test
    void prefixedStatesShareOneCheckpoint() {
        Parameter p = new Parameter(Tensor.ones(3));
        var rms = new RmsProp(List.of(p), RmsProp.options().centered(true).build());
        Golden.setGrad(p, Tensor.full(0.5f, 3));
        rms.step();
        OptimizerState prefixed = rms.stateDict().withPrefix("optimizer.");
        assertTrue(prefixed.tensors().containsKey("optimizer.state.0.grad_avg"));
        Map<String, Tensor> tensors = new LinkedHashMap<>(prefixed.tensors());
        tensors.put("model.weight", Tensor.ones(2));
        Map<String, String> meta = new LinkedHashMap<>(prefixed.metadata());
        meta.put("epoch", "3");
        OptimizerState back = OptimizerState.extract("optimizer.", tensors, meta);
        assertEquals(rms.stateDict().metadata(), back.metadata());
        assertEquals(rms.stateDict().tensors().keySet(), back.tensors().keySet());
    }

    @Test
    void loadingReportsEveryProblemAndChangesNothing() {
        Parameter p = new Parameter(Tensor.ones(2, 2));
        var adam = new Adam(List.of(p), Adam.options().build());
        Golden.setGrad(p, Tensor.ones(2, 2));
        adam.step();
        Map<String, Tensor> tensors = new LinkedHashMap<>(adam.stateDict().tensors());
        Map<String, String> meta = new LinkedHashMap<>(adam.stateDict().metadata());
        tensors.put("state.0.exp_avg", Tensor.ones(3));          // wrong shape
        tensors.put("state.0.velocity", Tensor.ones(2, 2));      // unknown buffer
        tensors.put("state.7.exp_avg", Tensor.ones(2, 2));       // no such parameter
        meta.put("param_groups.0.beta1", "1.5");                 // invalid option
        meta.put("state.0.step", "x");                           // not a number

        Parameter q = new Parameter(Tensor.ones(2, 2));
        var target = new Adam(List.of(q), Adam.options().lr(0.5).build());
        var e = assertThrows(IllegalArgumentException.class, () -> target.loadStateDict(new OptimizerState(tensors, meta)));
        for (String part : List.of("state.0.exp_avg' has shape [3]", "velocity", "state.7.exp_avg", "beta1", "state.0.step")) {
            assertTrue(e.getMessage().contains(part), () -> "message lacks '" + part + "':\n" + e.getMessage());
        }
        assertEquals(0.5, target.groups().get(0).lr());
        assertEquals(0, target.state(0).step());
    }

    @Test
    void loadingRejectsAnotherOptimizerOrLayout() {
        Parameter p = new Parameter(Tensor.ones(2));
        OptimizerState sgdState = new Sgd(List.of(p), Sgd.options(0.1).build()).stateDict();
        var adam = new Adam(List.of(new Parameter(Tensor.ones(2))), Adam.options().build());
        var e = assertThrows(IllegalArgumentException.class, () -> adam.loadStateDict(sgdState));
        assertTrue(e.getMessage().contains("optimizer is 'Sgd', expected 'Adam'"), e.getMessage());

        // AdamW saves its own name even though it takes Adam's options
        OptimizerState adamWState = new AdamW(List.of(new Parameter(Tensor.ones(2))), AdamW.options().build()).stateDict();
        assertThrows(IllegalArgumentException.class, () -> adam.loadStateDict(adamWState));

        var twoParams = new Sgd(List.of(new Parameter(Tensor.ones(2)), new Parameter(Tensor.ones(2))), Sgd.options(0.1).build());
        var layout = assertThrows(IllegalArgumentException.class, () -> twoParams.loadStateDict(sgdState));
        assertTrue(layout.getMessage().contains("param_groups.0.params"), layout.getMessage());
    }
}
