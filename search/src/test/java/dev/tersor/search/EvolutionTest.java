package dev.tersor.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvolutionTest {
    /** 8 layers of 4 ops: 65,536 architectures. */
    private static final ChainSpace SPACE = ChainSpace.of("synthetic-8x4", new int[] {1, 4, 4}, 2, 2,
            List.of(OpSpec.parse("conv_3x3"), OpSpec.parse("conv_5x5"), OpSpec.parse("max_pool_3x3"), OpSpec.skip()),
            new ChainSpace.Stage(2, 8, 1));

    /** Op j of any layer costs j "flops"; the skeleton 0. */
    private static CostTable flops(ChainSpace space) {
        double[][] per = new double[space.choices().size()][];
        for (int i = 0; i < per.length; i++) per[i] = new double[] {0, 1, 2, 3};
        return new CostTable(space.name(), "flops", 0, per);
    }

    /** Σ (i + 1)·op_i: the best under Σ op_i <= 16 puts 3 on layers 7..3 and 1 on layer 2, score 93. */
    private static final class Synthetic implements Fitness {
        final Set<Architecture> seen = new HashSet<>();
        final AtomicInteger calls = new AtomicInteger();
        final Constraint limit;
        final int failAfter;

        Synthetic(Constraint limit, int failAfter) {
            this.limit = limit;
            this.failAfter = failAfter;
        }

        @Override
        public synchronized double score(Architecture a) {
            if (calls.get() == failAfter) throw new IllegalStateException("killed");
            calls.incrementAndGet();
            assertTrue(seen.add(a), "evaluated twice: " + a);
            assertTrue(limit.admits(a), "evaluated over the limit: " + a);
            double s = 0;
            for (int i = 0; i < a.ops().size(); i++) s += (i + 1) * a.op(i);
            return s;
        }
    }

    private static final Architecture OPTIMUM = new Architecture(SPACE.name(), List.of(0, 0, 1, 3, 3, 3, 3, 3));

    private static Experiment experiment(Path dir, Fitness f, Constraint c, long seed, int threads) {
        TrialExecutor ex = new LocalExecutor(threads, () -> f);
        return new Experiment(SPACE, ex, List.of(c), List.of(c.table()), Experiment.Options.in(dir, seed).log(null));
    }

    @Test
    void sposFindsTheKnownOptimumEvaluatingEachCandidateOnceAndNoneOverTheLimit(@TempDir Path dir) throws Exception {
        Constraint c = new Constraint(flops(SPACE), 16);
        Synthetic f = new Synthetic(c, -1);
        SearchResult r = new Evolution(Evolution.Options.spos()).run(experiment(dir, f, c, 7, 1));
        assertEquals(OPTIMUM, r.best());
        assertEquals(93.0, r.score());
        assertEquals(1050, f.calls.get());          // 50 + 20 generations × 50
        assertEquals(1050, r.trials());
        assertEquals(10, r.top().size());
        List<String> lines = Files.readAllLines(dir.resolve("trials.jsonl"));
        assertEquals(1050, lines.size());
        Set<String> keys = new HashSet<>();
        int mutations = 0, crossovers = 0;
        for (String line : lines) {
            Trial t = Trial.fromJson(line, SPACE, "log");
            assertTrue(keys.add(t.arch().key()));
            assertTrue(t.costs().get("flops") <= 16);
            if (t.origin().equals("mutation")) mutations++;
            if (t.origin().equals("crossover")) crossovers++;
        }
        assertTrue(mutations <= 20 * 25 && crossovers <= 20 * 25 && mutations > 0 && crossovers > 0, mutations + " " + crossovers);
    }

    @Test
    void aResumedRunEqualsAnUninterruptedOne(@TempDir Path dir) throws Exception {
        Constraint c = new Constraint(flops(SPACE), 16);
        Evolution.Options small = new Evolution.Options(20, 6, 5, 8, 0.1, 8);
        Synthetic whole = new Synthetic(c, -1);
        SearchResult expected = new Evolution(small).run(experiment(dir.resolve("whole"), whole, c, 3, 1));

        Path run = dir.resolve("killed");
        Synthetic first = new Synthetic(c, 77);    // dies inside generation 3
        assertThrows(IllegalStateException.class, () -> new Evolution(small).run(experiment(run, first, c, 3, 1)));
        assertEquals(77, Files.readAllLines(run.resolve("trials.jsonl")).size());
        Synthetic second = new Synthetic(c, -1);
        Experiment resumed = experiment(run, second, c, 3, 1);
        SearchResult got = new Evolution(small).run(resumed);
        assertEquals(expected, got);
        assertEquals(whole.calls.get(), first.calls.get() + second.calls.get(), "no candidate is evaluated again after the resume");
        Set<Architecture> both = new HashSet<>(first.seen);
        for (Architecture a : second.seen) assertTrue(both.add(a), "evaluated before the kill and again after: " + a);
        assertEquals(whole.seen, both);
        assertEquals(Files.readString(dir.resolve("whole/state.json")), Files.readString(run.resolve("state.json")));
        // another seed is refused
        var e = assertThrows(IllegalArgumentException.class, () -> new Evolution(small).run(experiment(run, second, c, 4, 1)));
        assertTrue(e.getMessage().contains("written with seed 3, this run has seed 4"), e.getMessage());
    }

    @Test
    void twoWorkerThreadsGiveTheSerialResult(@TempDir Path dir) {
        Constraint c = new Constraint(flops(SPACE), 16);
        Evolution.Options small = new Evolution.Options(20, 4, 5, 8, 0.1, 8);
        SearchResult serial = new Evolution(small).run(experiment(dir.resolve("a"), new Synthetic(c, -1), c, 5, 1));
        SearchResult pooled = new Evolution(small).run(experiment(dir.resolve("b"), new Synthetic(c, -1), c, 5, 2));
        assertEquals(serial.best(), pooled.best());
        assertEquals(serial.top().stream().map(Trial::arch).toList(), pooled.top().stream().map(Trial::arch).toList());
    }

    @Test
    void aSmallSpaceIsExhaustedCleanly(@TempDir Path dir) {
        ChainSpace tiny = ChainSpace.of("tiny-2x4", new int[] {1, 4, 4}, 2, 2, SPACE.choices().get(0).candidates(), new ChainSpace.Stage(2, 2, 1));
        Constraint c = new Constraint(flops(tiny), 5);   // 15 of the 16 architectures (3-3 costs 6)
        List<Architecture> evaluated = new ArrayList<>();
        Fitness f = a -> {
            evaluated.add(a);
            return a.op(0) + 10 * a.op(1);
        };
        Experiment e = new Experiment(tiny, LocalExecutor.serial(f), List.of(c), List.of(), Experiment.Options.in(dir, 1).log(null));
        SearchResult r = new Evolution(new Evolution.Options(10, 5, 3, 4, 0.5, 4)).run(e);
        assertEquals(15, evaluated.size());
        assertEquals(15, new HashSet<>(evaluated).size());
        assertEquals(List.of(2, 3), r.best().ops());   // 32, the best of those admitted
        assertFalse(evaluated.contains(new Architecture(tiny.name(), List.of(3, 3))));
    }

    @Test
    void randomSearchTakesDistinctAdmittedCandidatesAndResumes(@TempDir Path dir) throws Exception {
        Constraint c = new Constraint(flops(SPACE), 10);
        Synthetic whole = new Synthetic(c, -1);
        SearchResult expected = new RandomSearch(120, 25).run(experiment(dir.resolve("whole"), whole, c, 9, 1));
        assertEquals(120, whole.calls.get());
        double best = whole.seen.stream().mapToDouble(a -> {
            double s = 0;
            for (int i = 0; i < a.ops().size(); i++) s += (i + 1) * a.op(i);
            return s;
        }).max().orElseThrow();
        assertEquals(best, expected.score());

        Synthetic first = new Synthetic(c, 60);
        Path run = dir.resolve("killed");
        assertThrows(IllegalStateException.class, () -> new RandomSearch(120, 25).run(experiment(run, first, c, 9, 1)));
        Synthetic second = new Synthetic(c, -1);
        assertEquals(expected, new RandomSearch(120, 25).run(experiment(run, second, c, 9, 1)));
        assertEquals(120, first.calls.get() + second.calls.get());
    }
}
