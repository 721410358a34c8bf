package dev.tersor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class TimingTest {

    @Test
    void medianOfOddAndEvenCounts() {
        assertEquals(2.0, Timing.median(new double[] {3, 1, 2}));
        assertEquals(2.5, Timing.median(new double[] {4, 1, 3, 2}));
        assertEquals(7.0, Timing.median(new double[] {7}));
        assertThrows(IllegalArgumentException.class, () -> Timing.median(new double[0]));
    }

    @Test
    void runsSetupBeforeEveryCallAndAtLeastMinReps() {
        AtomicInteger setups = new AtomicInteger();
        AtomicInteger calls = new AtomicInteger();
        Timing.Result r = Timing.run(Timing.Plan.standard(0.05, 7, 0), setups::incrementAndGet, calls::incrementAndGet, null);
        assertTrue(r.reps() >= 7);
        assertTrue(r.warmupCalls() >= 1);
        assertEquals(r.reps() + r.warmupCalls(), calls.get());
        assertEquals(calls.get(), setups.get());
        assertTrue(r.minMs() <= r.medianMs() && r.medianMs() <= r.maxMs());
        assertTrue(r.minMs() <= r.meanMs() && r.meanMs() <= r.maxMs());
    }

    @Test
    void zeroWarmupStillCallsOnce() {
        AtomicInteger calls = new AtomicInteger();
        Timing.Result r = Timing.run(Timing.Plan.standard(0, 1, 0), null, calls::incrementAndGet, null);
        assertEquals(1, r.warmupCalls());
        assertEquals(1, r.reps());
    }

    /** Windows in which the JIT compiled for longer than a twentieth of the window do not count as steady, however close their medians. */
    @Test
    void warmUpWaitsUntilTheJitIsQuiet() {
        long[] clock = {0};
        AtomicInteger jitReads = new AtomicInteger();
        // the compilation clock jumps a second on each of its first 6 reads (start, then 5 window ends), then stays
        Timing.Plan plan = new Timing.Plan(30, 2e-3, 1, 1, 0, 1e9);   // any two windows are "close"
        Timing.Result r = Timing.run(plan, null, TimingTest::spin, null,
                () -> jitReads.incrementAndGet() <= 6 ? clock[0] += 1000 : clock[0]);
        assertTrue(r.steady());
        assertEquals(7, jitReads.get(), "steady at the first window the clock did not move in");
        Timing.Result unknown = Timing.run(plan, null, TimingTest::spin, null, () -> -1);
        assertTrue(unknown.steady(), "a JVM without the clock: the timings alone decide");
    }

    private static void spin() {
        long end = System.nanoTime() + 100_000;
        while (System.nanoTime() < end) Thread.onSpinWait();
    }

    @Test
    void planRejectsNonsense() {
        assertThrows(IllegalArgumentException.class, () -> Timing.Plan.standard(-1, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> Timing.Plan.standard(1, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> Timing.Plan.standard(1, 1, Double.NaN));
    }
}
