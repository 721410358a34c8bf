package dev.tersor.tensor.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ParallelTest {
    private int saved;

    @BeforeEach
    void fourThreads() {
        saved = Parallel.threads();
        Parallel.setThreads(4);
    }

    @AfterEach
    void restore() {
        Parallel.setThreads(saved);
    }

    /** Records each chunk as [from, to) into a set. */
    private static Set<List<Integer>> chunksOf(int n, int grain) {
        Set<List<Integer>> chunks = ConcurrentHashMap.newKeySet();
        Parallel.forRange(n, grain, (from, to) -> chunks.add(List.of(from, to)));
        return chunks;
    }

    @Test
    void chunksCoverTheRangeOnceAndDependOnlyOnRangeGrainAndThreads() {
        assertEquals(Set.of(List.of(0, 2), List.of(2, 5), List.of(5, 7), List.of(7, 10)), chunksOf(10, 1));
        assertEquals(Set.of(List.of(0, 5), List.of(5, 10)), chunksOf(10, 5));
        assertEquals(Set.of(List.of(0, 10)), chunksOf(10, 6));
        for (int rep = 0; rep < 200; rep++) assertEquals(chunksOf(1000, 7), chunksOf(1000, 7));
        assertEquals(Set.of(), chunksOf(0, 1));
    }

    @Test
    void everyIndexRunsExactlyOnce() {
        for (int n : new int[] {1, 3, 4, 5, 63, 1000}) {
            int[] hits = new int[n];
            Parallel.forRange(n, 1, (from, to) -> {
                for (int i = from; i < to; i++) hits[i]++;
            });
            int[] once = new int[n];
            java.util.Arrays.fill(once, 1);
            assertArrayEquals(once, hits, "n = " + n);
            int[] tasks = new int[n];
            Parallel.forEachTask(n, (from, to) -> {
                assertEquals(from + 1, to, "one task per call");
                tasks[from]++;
            });
            assertArrayEquals(once, tasks, "tasks, n = " + n);
        }
    }

    @Test
    void theCallerRunsChunksAndOtherThreadsHelp() throws Exception {
        Thread caller = Thread.currentThread();
        AtomicInteger byCaller = new AtomicInteger();
        Set<String> names = ConcurrentHashMap.newKeySet();
        CountDownLatch both = new CountDownLatch(2);
        Parallel.forEachTask(2, (from, to) -> {
            if (Thread.currentThread() == caller) byCaller.incrementAndGet();
            else names.add(Thread.currentThread().getName());
            both.countDown();
            try {
                // each task waits for the other: passes only if two threads run at once
                assertTrue(both.await(30, java.util.concurrent.TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        assertEquals(1, byCaller.get());
        assertEquals(1, names.size());
        assertTrue(names.iterator().next().startsWith("tersor-"), names.toString());
    }

    @Test
    void nestedCallsRunWholeOnTheirThread() {
        List<Thread> outer = new ArrayList<>();
        AtomicInteger inner = new AtomicInteger();
        Parallel.forEachTask(4, (from, to) -> {
            Thread t = Thread.currentThread();
            Parallel.forRange(100, 1, (a, b) -> {
                assertSame(t, Thread.currentThread());
                assertEquals(0, a, "a nested call runs whole on its thread");
                assertEquals(100, b);
                inner.incrementAndGet();
            });
            synchronized (outer) {
                outer.add(t);
            }
        });
        assertEquals(4, inner.get());
        assertEquals(4, outer.size());
    }

    @Test
    void aCallWhileHelpersAreBusyRunsTheSameChunksOnItsCaller() throws Exception {
        Set<List<Integer>> serial = chunksOf(1000, 7);
        AtomicReference<Set<List<Integer>>> seen = new AtomicReference<>();
        AtomicReference<Thread> ranOn = new AtomicReference<>();
        Set<List<Integer>> nested = ConcurrentHashMap.newKeySet();
        CountDownLatch inside = new CountDownLatch(1), done = new CountDownLatch(1);
        Thread other = new Thread(() -> {
            try {
                assertTrue(inside.await(30, java.util.concurrent.TimeUnit.SECONDS));
                Set<List<Integer>> chunks = ConcurrentHashMap.newKeySet();
                Parallel.forRange(1000, 7, (from, to) -> {
                    ranOn.set(Thread.currentThread());
                    chunks.add(List.of(from, to));
                    // nested in one of those chunks: whole, as nested calls of a free call run
                    Parallel.forRange(50, 1, (a, b) -> nested.add(List.of(a, b)));
                });
                seen.set(chunks);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            } finally {
                done.countDown();
            }
        });
        other.start();
        // this call holds the helpers until the other thread's call has finished
        Parallel.forEachTask(2, (from, to) -> {
            if (from != 0) return;
            inside.countDown();
            try {
                assertTrue(done.await(30, java.util.concurrent.TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        other.join(30_000);
        assertSame(other, ranOn.get(), "the busy case runs on its own caller");
        assertEquals(serial, seen.get(), "and with the chunks a free call would have had");
        assertEquals(Set.of(List.of(0, 50)), nested, "calls nested in those chunks run whole");
    }

    @Test
    void aFailingChunkRethrowsItsOwnExceptionOnTheCaller() {
        IllegalStateException boom = new IllegalStateException("chunk 2 failed");
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> Parallel.forEachTask(4, (from, to) -> {
            if (from == 2) throw boom;
        }));
        assertSame(boom, thrown);
        AssertionError error = new AssertionError("an error");
        assertSame(error, assertThrows(AssertionError.class, () -> Parallel.forRange(8, 1, (from, to) -> {
            throw error;
        })));
        // the pool is usable afterwards
        int[] sum = new int[1];
        Parallel.forRange(4, 1, (from, to) -> {
            synchronized (sum) {
                sum[0] += to - from;
            }
        });
        assertEquals(4, sum[0]);
    }

    @Test
    void concurrentCallersFromManyThreadsEachGetTheirWholeRange() throws Exception {
        int users = 6;
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread[] threads = new Thread[users];
        for (int u = 0; u < users; u++) {
            threads[u] = new Thread(() -> {
                try {
                    for (int rep = 0; rep < 300; rep++) {
                        long[] sum = new long[1];
                        Parallel.forRange(1000, 10, (from, to) -> {
                            long s = 0;
                            for (int i = from; i < to; i++) s += i;
                            synchronized (sum) {
                                sum[0] += s;
                            }
                        });
                        assertEquals(999L * 1000 / 2, sum[0]);
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            });
            threads[u].start();
        }
        for (Thread t : threads) t.join(60_000);
        if (failure.get() != null) throw new AssertionError(failure.get());
    }

    @Test
    void oneThreadRunsEverythingOnTheCallerAndCountsAreValidated() {
        Parallel.setThreads(1);
        Thread caller = Thread.currentThread();
        Parallel.forEachTask(5, (from, to) -> assertSame(caller, Thread.currentThread()));
        Parallel.forRange(100, 1, (from, to) -> {
            assertEquals(0, from);
            assertEquals(100, to);
        });
        assertThrows(IllegalArgumentException.class, () -> Parallel.setThreads(0));
        Parallel.setThreads(3);
        assertEquals(3, Parallel.threads());
        assertEquals(Set.of(List.of(0, 3), List.of(3, 6), List.of(6, 10)), chunksOf(10, 1));
    }
}
