package dev.tersor.compress.prune.meta;

import static org.junit.jupiter.api.Assertions.*;

import dev.tersor.compress.prune.ChannelGraph;
import dev.tersor.compress.prune.ChannelTrace;
import dev.tersor.compress.prune.Criteria;
import dev.tersor.nn.Module;
import dev.tersor.nn.data.Batch;
import dev.tersor.tensor.Generator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** CACP: one trained policy, models for 30%, 50% and 70% FLOPs reduction; the constraint clamp; the DDPG agent. */
class CacpTest {
    static final List<Batch> TRAIN = Fixtures.mnist(0, 4, 64), VALIDATION = Fixtures.mnist(6000, 1, 200);

    @Test
    void onePolicyMeetsEveryRequestedRate() {
        Module model = Fixtures.lenet(1);
        ChannelGraph graph = ChannelTrace.trace(model, TRAIN.get(0).inputs());
        float[] before = model.stateDict().get("fc1.weight").toArray();
        Cacp.Agent agent = new Cacp.Agent(16, 1e-3, 1e-2, 0.05, 8, 0.5, 0.95, 1.0);
        Cacp.Options opts = Cacp.Options.of(0.3, 0.5, 0.7).withEpisodes(6, 6).with(agent).withBatches(1, 0, 3);
        Cacp.Policy p = Cacp.train(model, TRAIN.get(0).inputs(), TRAIN, VALIDATION, opts, null);
        assertArrayEquals(before, model.stateDict().get("fc1.weight").toArray(), "the model is left as it was");
        long base = graph.macs();
        for (double rate : new double[] {0.3, 0.5, 0.7, 0.6}) {
            Set<Integer> removed = p.removed(graph, rate);
            assertTrue(graph.macs(removed) <= Math.floor((1 - rate) * base), rate + ": " + graph.macs(removed) + " of " + base);
            double[] f = p.fractions(graph, rate);
            assertEquals(4, f.length);
            for (double v : f) assertTrue(v >= 0 && v < 1);
        }
        for (double rate : new double[] {0.3, 0.5, 0.7}) {
            Cacp.Best b = p.best(rate);
            assertNotNull(b, "a best episode per trained rate");
            assertTrue(graph.macs(b.removed()) <= Math.floor((1 - rate) * base));
            assertTrue(b.accuracy() >= 0 && b.accuracy() <= 1);
        }
        assertNull(p.best(0.6));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> p.removed(graph, 0.999));
        assertTrue(e.getMessage().contains("cannot be met"), e.getMessage());
        ChannelGraph other = ChannelTrace.trace(Fixtures.lenetBn(1), TRAIN.get(0).inputs());
        assertEquals(graph.families().size(), other.families().size());
        Module resnet = Fixtures.resnet20(1);
        ChannelGraph r = ChannelTrace.trace(resnet, TRAIN.get(0).inputs());
        assertThrows(IllegalArgumentException.class, () -> p.removed(r, 0.5), "another architecture");
    }

    @Test
    void theClampRaisesActionsJustEnoughToMeetTheRate() {
        Module model = Fixtures.lenet(2);
        ChannelGraph graph = ChannelTrace.trace(model, TRAIN.get(0).inputs());
        CacpEnvironment env = new CacpEnvironment(model, graph, graph.families(), Criteria.l1().scores(model, graph), 0.05, 1.0);
        CacpEnvironment.Episode ep = env.start(0.5);
        float[] s = ep.state();
        assertEquals(CacpEnvironment.FEATURES, s.length);
        assertEquals(0.5f, s[0], 0f, "the density 1 − rate conditions the state");
        assertEquals(0f, s[10], 0f, "nothing removed yet");
        while (!ep.done()) ep.step(0);   // the agent asks for the least pruning everywhere
        assertTrue(graph.macs(ep.removed) <= Math.floor(0.5 * graph.macs()));
        // each clamped step is the least that keeps the target reachable: one group fewer at the last step breaks it
        int last = ep.fractions.length - 1, size = graph.families().get(last).size();
        int count = (int) Math.round(ep.fractions[last] * size);
        if (count > env.atMost(last, 0.05)) {
            Set<Integer> fewer = new java.util.TreeSet<>(ep.removed);
            fewer.removeAll(env.lowest(last, count));
            fewer.addAll(env.lowest(last, count - 1));
            assertTrue(graph.macs(fewer) > Math.floor(0.5 * graph.macs()));
        }
        assertThrows(IllegalArgumentException.class, () -> env.start(0.995));
    }

    @Test
    void ddpgLearnsTheBestActionOfABandit() {
        Generator g = new Generator(4);
        Ddpg agent = new Ddpg(2, new Cacp.Agent(32, 1e-3, 1e-2, 0.05, 64, 0.5, 0.95, 1.0), 2000, g);
        float[] s = {0.3f, 0.6f};
        for (int i = 0; i < 600; i++) {
            float a = (float) g.nextDouble();
            agent.remember(new Ddpg.Transition(s, a, 1 - 4 * (a - 0.7f) * (a - 0.7f), s, true));
        }
        for (int i = 0; i < 400; i++) agent.update();
        assertEquals(0.7, agent.act(s), 0.08, "the actor climbs the critic to the reward's peak");
        for (int i = 0; i < 100; i++) {
            double x = Ddpg.truncatedNormal(0.9, 0.5, g);
            assertTrue(x >= 0 && x <= 1);
        }
    }

    @Test
    void settingsAreValidated() {
        assertThrows(IllegalArgumentException.class, () -> Cacp.Options.of());
        assertThrows(IllegalArgumentException.class, () -> Cacp.Options.of(0.5, 1.0));
        assertThrows(IllegalArgumentException.class, () -> Cacp.Options.of(0.5).withEpisodes(0, 0));
        assertThrows(IllegalArgumentException.class, () -> new Cacp.Agent(300, 1e-4, 1e-3, 0, 256, 0.5, 0.95, 1));
        Map<String, Object> unused = Map.of();
        assertTrue(unused.isEmpty());
    }
}
