package dev.tersor.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModuleTest {

    /** A two-block net shaped like a ResNet stage, for key names. */
    static final class Block extends Module {
        Block() {
            register("fc", new Linear(3, 3));
            register("bn1", new BatchNorm1d(3));
        }

        @Override
        public Tensor forward(Tensor x) {
            return child("bn1").call(child("fc").call(x)).relu();
        }
    }

    static final class Net extends Module {
        Net() {
            register("fc1", new Linear(4, 3));
            register("layer1", new Sequential(new Block(), new Block()));
            register("out", new Linear(3, 2, false));
        }

        @Override
        public Tensor forward(Tensor x) {
            return child("out").call(child("layer1").call(child("fc1").call(x)));
        }
    }

    @Test
    void stateDictKeysFollowPyTorch() {
        List<String> keys = new ArrayList<>(new Net().stateDict().keySet());
        assertEquals(List.of("fc1.weight", "fc1.bias",
                "layer1.0.fc.weight", "layer1.0.fc.bias", "layer1.0.bn1.weight", "layer1.0.bn1.bias",
                "layer1.0.bn1.running_mean", "layer1.0.bn1.running_var", "layer1.0.bn1.num_batches_tracked",
                "layer1.1.fc.weight", "layer1.1.fc.bias", "layer1.1.bn1.weight", "layer1.1.bn1.bias",
                "layer1.1.bn1.running_mean", "layer1.1.bn1.running_var", "layer1.1.bn1.num_batches_tracked",
                "out.weight"), keys);
        assertEquals(11, new Net().namedParameters().size(), "parameters exclude buffers");
        assertEquals(4 * 3 + 3 + 2 * (9 + 3 + 3 + 3) + 6, new Net().parameterCount());
    }

    @Test
    void loadStateDictCopiesValuesAndRoundTrips() {
        Net a = new Net(), b = new Net();
        b.loadStateDict(a.stateDict(), true);
        Tensor x = Tensor.randn(new dev.tersor.tensor.Generator(1), 5, 4);
        a.eval();
        b.eval();
        assertArrayEquals(a.call(x).toArray(), b.call(x).toArray());
        assertNotSame(a.stateDict().get("fc1.weight"), b.stateDict().get("fc1.weight"));
    }

    @Test
    void strictLoadListsEveryProblemAtOnceAndChangesNothing() {
        Net net = new Net();
        float[] before = net.stateDict().get("fc1.weight").toArray();
        Map<String, Tensor> bad = new LinkedHashMap<>(new Net().stateDict());
        bad.remove("out.weight");
        bad.put("fc1.weight", Tensor.zeros(9, 9));
        bad.put("extra.thing", Tensor.zeros(1));
        var e = assertThrows(IllegalArgumentException.class, () -> net.loadStateDict(bad, true));
        String msg = e.getMessage();
        assertTrue(msg.contains("out.weight") && msg.contains("extra.thing") && msg.contains("fc1.weight")
                && msg.contains("[9, 9]") && msg.contains("[3, 4]"), msg);
        assertArrayEquals(before, net.stateDict().get("fc1.weight").toArray());
        StateDictReport r = net.loadStateDict(bad, false);
        assertEquals(List.of("out.weight"), r.missing());
        assertEquals(List.of("extra.thing"), r.unexpected());
        assertEquals(1, r.mismatched().size());
    }

    @Test
    void numBatchesTrackedIsOptionalAndPrefixesCanBeRemapped() {
        Map<String, Tensor> saved = new LinkedHashMap<>();
        for (var e : new Net().stateDict().entrySet()) {
            if (!e.getKey().endsWith("num_batches_tracked")) saved.put("module." + e.getKey(), e.getValue());
        }
        StateDictReport r = new Net().loadStateDict(saved, true, k -> k.startsWith("module.") ? k.substring(7) : k);
        assertTrue(r.isClean(), r.toString());
    }

    @Test
    void replaceByDottedPath() {
        Net net = new Net();
        Module old = net.replace("layer1.1.fc", new Identity());
        assertTrue(old instanceof Linear);
        assertTrue(net.get("layer1.1.fc") instanceof Identity);
        assertFalse(net.stateDict().containsKey("layer1.1.fc.weight"));
        assertArrayEquals(new int[] {2, 2}, net.call(Tensor.ones(2, 4)).shape(), "forward uses the replacement");
        assertThrows(IllegalArgumentException.class, () -> net.replace("layer1.7", new Identity()));
        var e = assertThrows(IllegalArgumentException.class, () -> net.get("layer2"));
        assertTrue(e.getMessage().contains("fc1"), e.getMessage());
    }

    @Test
    void freezeStopsGradients() {
        Net net = new Net();
        net.get("fc1").freeze();
        net.call(Tensor.ones(2, 4)).sum().backward();
        assertEquals(null, ((Linear) net.get("fc1")).weight().grad());
        assertTrue(((Linear) net.get("out")).weight().grad() != null);
        net.unfreeze();
        assertTrue(((Linear) net.get("fc1")).weight().requiresGrad());
    }

    @Test
    void hooksSeeAndReplaceInputsAndOutputs() {
        Linear fc = new Linear(2, 2);
        List<int[]> seen = new ArrayList<>();
        Module.HookHandle h = fc.registerForwardHook((m, in, out) -> {
            seen.add(out.shape());
            return null;
        });
        try (Module.HookHandle pre = fc.registerForwardPreHook((m, in) -> in.mul(0f))) {
            Tensor y = fc.call(Tensor.ones(3, 2));
            assertArrayEquals(fc.bias().value().toArray(), y.select(0, 0).toArray(), "zeroed input leaves the bias");
        }
        h.close();
        fc.call(Tensor.ones(1, 2));
        assertEquals(1, seen.size());
        assertArrayEquals(new int[] {3, 2}, seen.get(0));
        try (Module.HookHandle swap = fc.registerForwardHook((m, in, out) -> Tensor.zeros(1))) {
            assertArrayEquals(new float[] {0}, fc.call(Tensor.ones(1, 2)).toArray());
        }
    }

    @Test
    void trainAndEvalReachEveryModule() {
        Net net = new Net();
        net.eval();
        for (Module m : net.namedModules().values()) assertFalse(m.isTraining());
        net.train();
        for (Module m : net.namedModules().values()) assertTrue(m.isTraining());
        assertEquals(10, net.namedModules().size());
        assertSame(net, net.namedModules().get(""));
    }

    @Test
    void printsATreeLikePyTorch() {
        String s = new Sequential(new Linear(4, 2), new ReLU()).toString();
        assertEquals("Sequential(\n  (0): Linear(in_features=4, out_features=2, bias=true)\n  (1): ReLU()\n)", s);
    }

    @Test
    void registrationRejectsDuplicatesAndDots() {
        Module m = new Module() {
            {
                registerParameter("w", Tensor.zeros(1));
            }

            @Override
            public Tensor forward(Tensor x) {
                return x;
            }
        };
        assertThrows(IllegalArgumentException.class, () -> m.register("w", new ReLU()));
        assertThrows(IllegalArgumentException.class, () -> m.register("a.b", new ReLU()));
    }
}
