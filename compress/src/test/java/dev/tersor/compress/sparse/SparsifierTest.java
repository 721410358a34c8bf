package dev.tersor.compress.sparse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.compress.prune.AgpSchedule;
import dev.tersor.nn.Module;
import dev.tersor.nn.Rng;
import dev.tersor.nn.train.Trainer;
import dev.tersor.nn.zoo.Zoo;
import dev.tersor.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class SparsifierTest {
    static Module lenet() {
        Rng.manualSeed(9);
        return Zoo.create("lenet5");
    }

    @Test
    void attachReplacesTheChosenLayersOnly() {
        Module m = lenet();
        Sparsifier s = Sparsifier.attach(m, new SparsifyConfig(0.5, PruningScope.LAYER, List.of(), true));
        assertEquals(List.of("conv2", "fc1", "fc2"), List.copyOf(s.layers().keySet()));
        assertTrue(m.get("conv2") instanceof MaskedConv2d);
        assertTrue(m.get("fc1") instanceof MaskedLinear);
        assertEquals(dev.tersor.nn.Conv2d.class, m.get("conv1").getClass());
        assertEquals(dev.tersor.nn.Linear.class, m.get("fc3").getClass());
        Module n = lenet();
        Sparsifier only = Sparsifier.attach(n, new SparsifyConfig(0.5, PruningScope.LAYER, List.of("fc2", "conv1"), false));
        assertEquals(List.of("fc2", "conv1"), List.copyOf(only.layers().keySet()));
    }

    @Test
    void aLayerListNamingAMissingLayerIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Sparsifier.attach(lenet(), new SparsifyConfig(0.5, PruningScope.LAYER, List.of("fc9"), false)));
        assertEquals("unknown layer path 'fc9'; Conv2d and Linear layers are [conv1, conv2, fc1, fc2, fc3]", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new SparsifyConfig(1.0, PruningScope.GLOBAL, List.of(), false));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> Sparsifier.attach(lenet(), new SparsifyConfig(0.5, PruningScope.LAYER, List.of("fc1", "fc1"), false)))
                .getMessage().contains("named twice"));
    }

    @Test
    void globalAndPerLayerThresholds() {
        Module a = lenet();
        Sparsifier layer = Sparsifier.attach(a, new SparsifyConfig(0.8, PruningScope.LAYER, List.of(), false));
        layer.prune(0.8);
        for (var e : layer.layers().entrySet()) {
            int n = e.getValue().mask().numel();
            assertEquals(MagnitudePruning.keepCount(n, 0.8), kept(e.getValue()), e.getKey());
        }
        Module b = lenet();
        Sparsifier global = Sparsifier.attach(b, new SparsifyConfig(0.8, PruningScope.GLOBAL, List.of(), false));
        global.prune(0.8);
        long total = 0, keptAll = 0;
        float minKept = Float.MAX_VALUE, maxPruned = 0;
        for (MaskedLayer l : global.layers().values()) {
            float[] w = l.weight().value().toArray();
            float[] orig = ((Module) l).stateDict().get("weight").toArray();
            boolean[] k = l.keep();
            total += k.length;
            for (int i = 0; i < k.length; i++) {
                if (k[i]) {
                    keptAll++;
                    minKept = Math.min(minKept, Math.abs(w[i]));
                } else {
                    assertEquals(0f, orig[i], 0f);
                }
            }
        }
        assertEquals(MagnitudePruning.keepCount(total, 0.8), keptAll);
        // one threshold: every kept weight of every layer is at least the threshold; the layers differ in sparsity
        Module ref = lenet();
        for (var e : global.layers().entrySet()) {
            float[] w0 = ((dev.tersor.nn.Module) ref.get(e.getKey())).stateDict().get("weight").toArray();
            boolean[] k = e.getValue().keep();
            for (int i = 0; i < k.length; i++) if (!k[i]) maxPruned = Math.max(maxPruned, Math.abs(w0[i]));
        }
        assertTrue(maxPruned <= minKept, "max pruned " + maxPruned + " <= min kept " + minKept);
        assertTrue(Math.abs(sparsity(global.layers().get("conv1")) - sparsity(global.layers().get("fc1"))) > 0.05);
    }

    @Test
    void agpPrunesAtItsStepsAndResumesFromTheEpoch() {
        Module m = lenet();
        Sparsifier s = Sparsifier.attach(m, SparsifyConfig.global(0.9));
        AgpSchedule schedule = new AgpSchedule(0, 0.9, 0, 4, 2);    // updates at steps 0, 2, 4, 6, 8
        Trainer.EpochStart hook = s.agp(schedule, 5);
        Tensor x = Tensor.zeros(1, 1, 28, 28);
        m.train();
        hook.starting(1, 2);
        double[] seen = new double[10];
        for (int t = 0; t < 10; t++) {
            if (t == 5) hook.starting(2, 2);
            m.call(x);
            seen[t] = s.sparsity();
        }
        long n = 0;
        for (MaskedLayer l : s.layers().values()) n += l.mask().numel();
        for (int t = 0; t < 10; t++) {
            int last = Math.min(8, t - t % 2);
            double want = 1 - (double) MagnitudePruning.keepCount(n, schedule.sparsityAt(last)) / n;
            assertEquals(want, seen[t], 1e-12, "step " + t);
        }
        assertEquals(0.9, seen[9], 1e-4);
        // a resumed run entering epoch 2 continues from step 5 (no update: 5 is odd), the masks untouched
        double before = s.sparsity();
        hook.starting(2, 2);
        m.call(x);
        assertEquals(before, s.sparsity(), 0);
        m.eval();
        m.call(x);     // eval-mode forwards do not count as steps
    }

    private static long kept(MaskedLayer l) {
        long c = 0;
        for (boolean k : l.keep()) if (k) c++;
        return c;
    }

    private static double sparsity(MaskedLayer l) {
        return 1 - (double) kept(l) / l.mask().numel();
    }
}
