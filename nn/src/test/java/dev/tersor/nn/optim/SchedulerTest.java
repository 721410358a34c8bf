package dev.tersor.nn.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.nn.Parameter;
import dev.tersor.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Learning-rate schedules against PyTorch 1.13 ({@code lr} lines of {@code optim/golden.txt}). */
class SchedulerTest {
    static final int STEPS = 100;

    record Case(String name, double[] baseLrs, Function<Sgd, LrScheduler> make) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static Case one(String name, Function<Sgd, LrScheduler> make) {
        return new Case(name, new double[] {0.1}, make);
    }

    private static Case two(String name, Function<Sgd, LrScheduler> make) {
        return new Case(name, new double[] {0.1, 0.02}, make);
    }

    static Stream<Case> cases() {
        return Stream.of(
                one("step_lr", o -> new StepLr(o, 30, 0.1)),
                one("multistep_lr", o -> new MultiStepLr(o, new int[] {30, 80}, 0.1)),
                one("multistep_lr_repeated", o -> new MultiStepLr(o, new int[] {50, 20, 50}, 0.5)),
                one("cosine", o -> new CosineLr(o, 100, 0.001)),
                one("cosine_no_min", o -> new CosineLr(o, 100, 0.0)),
                one("cosine_warmup", o -> new CosineLr(o, 100, 10, 0.0)),
                one("cosine_warmup_min", o -> new CosineLr(o, 100, 10, 0.001)),
                one("onecycle", o -> new OneCycleLr(o, 0.1, 100)),
                one("onecycle_custom", o -> new OneCycleLr(o, OneCycleLr.options(0.05, 100).pctStart(0.25).divFactor(10)
                        .finalDivFactor(100).anneal(OneCycleLr.Anneal.LINEAR).threePhase(true).build())),
                one("onecycle_cos_three_phase", o -> new OneCycleLr(o, OneCycleLr.options(0.2, 100).pctStart(0.4)
                        .threePhase(true).build())),
                two("step_lr_groups", o -> new StepLr(o, 10, 0.5)),
                two("cosine_groups", o -> new CosineLr(o, 100, 0.0)),
                two("onecycle_groups", o -> new OneCycleLr(o, OneCycleLr.options(0.1, 100).maxLr(0.1, 0.01).build())));
    }

    private static Sgd optimizer(double... lrs) {
        List<ParamGroup<Sgd.Options>> groups = new ArrayList<>();
        for (double lr : lrs) groups.add(new ParamGroup<>(List.of(new Parameter(Tensor.zeros(1))), Sgd.options(lr).build()));
        return new Sgd(groups);
    }

    /** lrs[t][g] over the schedule. */
    private static double[][] trajectory(LrScheduler s, Sgd opt, int from, int to) {
        double[][] out = new double[to - from][];
        for (int t = from; t < to; t++) {
            out[t - from] = s.lastLr();
            for (int g = 0; g < out[t - from].length; g++) assertEquals(out[t - from][g], opt.groups().get(g).lr());
            s.step();
        }
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void followsPyTorch(Case c) {
        Sgd opt = optimizer(c.baseLrs());
        LrScheduler s = c.make().apply(opt);
        double[][] lrs = trajectory(s, opt, 0, STEPS);
        assertEquals(STEPS, s.lastStep());
        for (int g = 0; g < c.baseLrs().length; g++) {
            double[] expected = Golden.load().lrs.get(c.name() + "/" + g);
            double[] actual = new double[STEPS];
            for (int t = 0; t < STEPS; t++) actual[t] = lrs[t][g];
            for (int t = 0; t < STEPS; t++) {
                double err = Math.abs(actual[t] - expected[t]);
                int step = t, group = g;
                assertTrue(err <= 1e-9 * Math.abs(expected[t]) + 1e-15,
                        () -> c.name() + " group " + group + " step " + step + ": expected " + expected[step] + ", got " + actual[step]);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void resumesFromItsStateDict(Case c) {
        Sgd opt = optimizer(c.baseLrs());
        LrScheduler s = c.make().apply(opt);
        double[][] through = trajectory(s, opt, 0, STEPS);

        Sgd first = optimizer(c.baseLrs());
        LrScheduler before = c.make().apply(first);
        trajectory(before, first, 0, 37);
        Map<String, String> saved = Map.copyOf(before.stateDict());

        Sgd second = optimizer(c.baseLrs());
        for (ParamGroup<Sgd.Options> g : second.groups()) g.setLr(0.7);   // a fresh run would start elsewhere
        LrScheduler after = c.make().apply(second);
        after.loadStateDict(saved);
        assertEquals(37, after.lastStep());
        double[][] resumed = trajectory(after, second, 37, STEPS);
        for (int t = 37; t < STEPS; t++) assertArrayEquals(through[t], resumed[t - 37], "step " + t);
    }

    @Test
    void schedulesScaleEveryGroupFromItsBaseLr() {
        Sgd opt = optimizer(0.1, 0.02);
        var s = new StepLr(opt, 2, 0.5);
        s.step();
        s.step();
        assertArrayEquals(new double[] {0.05, 0.01}, s.lastLr(), 1e-15);
        assertArrayEquals(new double[] {0.1, 0.02}, ((StepLr) s).baseLrs());
    }

    @Test
    void cosineStaysAtMinLrAfterTheEnd() {
        Sgd opt = optimizer(0.1);
        var s = new CosineLr(opt, 10, 2, 0.003);
        assertEquals(0.0, s.lastLr()[0]);
        for (int i = 0; i < 10; i++) s.step();
        assertEquals(0.003, s.lastLr()[0], 1e-15);
        s.step();
        assertEquals(0.003, s.lastLr()[0], 1e-15);
    }

    @Test
    void oneCycleRefusesToStepPastItsEnd() {
        Sgd opt = optimizer(0.1);
        var s = new OneCycleLr(opt, 0.1, 10);
        for (int i = 0; i < 10; i++) s.step();
        double last = opt.groups().get(0).lr();
        var e = assertThrows(IllegalStateException.class, s::step);
        assertTrue(e.getMessage().contains("10 total steps"), e.getMessage());
        assertEquals(10, s.lastStep());
        assertEquals(last, opt.groups().get(0).lr());
    }

    private static void rejects(String field, Executable build) {
        var e = assertThrows(IllegalArgumentException.class, build);
        assertTrue(e.getMessage().contains(field), () -> "'" + e.getMessage() + "' does not name " + field);
    }

    @Test
    void settingsAreValidated() {
        Sgd opt = optimizer(0.1, 0.2);
        rejects("stepSize", () -> new StepLr(opt, 0, 0.1));
        rejects("gamma", () -> new StepLr(opt, 3, -0.1));
        rejects("milestones", () -> new MultiStepLr(opt, new int[] {10, -1}, 0.1));
        rejects("totalSteps", () -> new CosineLr(opt, 0, 0.0));
        rejects("warmupSteps", () -> new CosineLr(opt, 10, 10, 0.0));
        rejects("minLr", () -> new CosineLr(opt, 10, -1.0));
        rejects("pctStart", () -> OneCycleLr.options(0.1, 10).pctStart(1.5).build());
        rejects("divFactor", () -> OneCycleLr.options(0.1, 10).divFactor(0).build());
        rejects("maxLrs", () -> OneCycleLr.options(-0.1, 10).build());
        rejects("totalSteps", () -> OneCycleLr.options(0.1, 0).build());
        rejects("maxLrs", () -> new OneCycleLr(opt, OneCycleLr.options(0.1, 10).maxLr(0.1, 0.2, 0.3).build()));
    }

    @Test
    void loadingRejectsAnotherSchedulerOrGroupCount() {
        var step = new StepLr(optimizer(0.1), 3, 0.5);
        var cosine = new CosineLr(optimizer(0.1), 30, 0.0);
        rejects("StepLr", () -> cosine.loadStateDict(step.stateDict()));
        var twoGroups = new StepLr(optimizer(0.1, 0.2), 3, 0.5);
        rejects("base_lrs", () -> twoGroups.loadStateDict(step.stateDict()));
        assertEquals(Map.of("scheduler", "StepLr", "last_step", "0", "base_lrs", "0.1"), step.stateDict());
    }

    @Test
    void addingAGroupAfterBuildingTheSchedulerIsReported() {
        Sgd opt = optimizer(0.1);
        var s = new StepLr(opt, 3, 0.5);
        opt.addParamGroup(new ParamGroup<>(List.of(new Parameter(Tensor.zeros(1))), Sgd.options(0.2).build()));
        var e = assertThrows(IllegalStateException.class, s::step);
        assertTrue(e.getMessage().contains("1 parameter groups"), e.getMessage());
    }
}
