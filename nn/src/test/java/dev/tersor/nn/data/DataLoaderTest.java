package dev.tersor.nn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DataLoaderTest {
    /** N samples of [1, 2, 2]; every value of sample i is i, its label i. */
    private static TensorDataset indexed(int n) {
        float[] x = new float[n * 4];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            Arrays.fill(x, 4 * i, 4 * i + 4, i);
            labels[i] = i;
        }
        return TensorDataset.of(x, labels, 1, 2, 2);
    }

    /** The labels of one epoch, batch by batch, checking inputs against labels on the way. */
    private static List<int[]> epoch(DataLoader loader) {
        List<int[]> out = new ArrayList<>();
        for (Batch b : loader) {
            int[] labels = b.labels().toArray();
            float[] x = b.inputs().toArray();
            assertEquals(labels.length * 4, x.length);
            for (int k = 0; k < labels.length; k++) assertEquals(labels[k], x[4 * k + 3], 0f, "input of sample " + labels[k]);
            out.add(labels);
        }
        return out;
    }

    private static int[] flat(List<int[]> batches) {
        return batches.stream().flatMapToInt(Arrays::stream).toArray();
    }

    @Test
    void batchCountWithAndWithoutDropLast() {
        DataLoader keep = DataLoader.builder(indexed(10)).setBatchSize(3).build();
        DataLoader drop = DataLoader.builder(indexed(10)).setBatchSize(3).optDropLast(true).build();
        assertEquals(4, keep.size());
        assertEquals(3, drop.size());
        List<int[]> k = epoch(keep);
        assertEquals(4, k.size());
        assertArrayEquals(new int[] {9}, k.get(3));
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, flat(k));   // unshuffled: in order
        assertEquals(3, epoch(drop).size());
        assertEquals(3, DataLoader.builder(indexed(9)).setBatchSize(3).build().size());
        assertEquals(3, DataLoader.builder(indexed(9)).setBatchSize(3).optDropLast(true).build().size());
        assertEquals(0, DataLoader.builder(indexed(2)).setBatchSize(3).optDropLast(true).build().size());
        assertTrue(epoch(DataLoader.builder(indexed(2)).setBatchSize(3).optDropLast(true).build()).isEmpty());
        assertArrayEquals(new int[] {3, 1, 2, 2}, keep.iterator().next().inputs().shape());
    }

    @Test
    void shuffleIsSeededAndNewEachEpoch() {
        DataLoader a = DataLoader.builder(indexed(50)).setBatchSize(8).optShuffle(true).optSeed(42).build();
        DataLoader b = DataLoader.builder(indexed(50)).setBatchSize(8).optShuffle(true).optSeed(42).build();
        assertEquals(0, a.epoch());
        int[] a0 = flat(epoch(a));
        int[] a1 = flat(epoch(a));
        assertEquals(2, a.epoch());
        assertArrayEquals(a0, flat(epoch(b)));                    // same seed, same order
        assertFalse(Arrays.equals(a0, a1));                       // a new permutation each epoch
        DataLoader resumed = DataLoader.builder(indexed(50)).setBatchSize(8).optShuffle(true).optSeed(42).build();
        resumed.setEpoch(1);
        assertArrayEquals(a1, flat(epoch(resumed)));              // a resumed run sees the same order
        DataLoader other = DataLoader.builder(indexed(50)).setBatchSize(8).optShuffle(true).optSeed(43).build();
        assertFalse(Arrays.equals(a0, flat(epoch(other))));
        assertFalse(Arrays.equals(a0, flat(epoch(DataLoader.builder(indexed(50)).setBatchSize(8).build()))));
        assertThrows(IllegalArgumentException.class, () -> a.setEpoch(-1));
    }

    @Test
    void everySampleOncePerEpoch() {
        DataLoader loader = DataLoader.builder(indexed(101)).setBatchSize(16).optShuffle(true).optSeed(7).optPrefetch(2).build();
        for (int e = 0; e < 3; e++) {
            int[] seen = flat(epoch(loader));
            Arrays.sort(seen);
            for (int i = 0; i < 101; i++) assertEquals(i, seen[i]);
        }
        DataLoader drop = DataLoader.builder(indexed(101)).setBatchSize(16).optShuffle(true).optDropLast(true).build();
        int[] seen = flat(epoch(drop));
        assertEquals(96, seen.length);
        assertEquals(96, Arrays.stream(seen).distinct().count());
    }

    /** A dataset served one sample at a time (the generic path), optionally failing at one index. */
    private static Dataset generic(TensorDataset inner, int failAt) {
        return new Dataset() {
            @Override
            public int size() {
                return inner.size();
            }

            @Override
            public Example get(int index) {
                if (index == failAt) throw new IllegalArgumentException("boom at " + index);
                return inner.get(index);
            }
        };
    }

    @Test
    void genericDatasetsGiveTheSameBatches() {
        TensorDataset ds = indexed(23);
        DataLoader fast = DataLoader.builder(ds).setBatchSize(5).optShuffle(true).optSeed(3).build();
        DataLoader slow = DataLoader.builder(generic(ds, -1)).setBatchSize(5).optShuffle(true).optSeed(3).build();
        Iterator<Batch> f = fast.iterator();
        for (Batch s : slow) {
            Batch expect = f.next();
            assertEquals(expect.labels(), s.labels());
            assertArrayEquals(expect.inputs().toArray(), s.inputs().toArray(), 0f);
        }
        assertFalse(f.hasNext());
    }

    @Test
    void workerExceptionReachesTheConsumer() {
        DataLoader loader = DataLoader.builder(generic(indexed(20), 12)).setBatchSize(4).optPrefetch(2).build();
        Iterator<Batch> it = loader.iterator();
        for (int b = 0; b < 3; b++) assertNotNull(it.next());    // batches 0..2 hold samples 0..11
        IllegalStateException e = assertThrows(IllegalStateException.class, it::next);
        assertTrue(e.getMessage().contains("batch 3 of epoch 0"), e.getMessage());
        assertEquals("boom at 12", e.getCause().getMessage());
        assertFalse(it.hasNext());
        assertThrows(NoSuchElementException.class, it::next);
        DataLoader sync = DataLoader.builder(generic(indexed(20), 12)).setBatchSize(4).optPrefetch(0).build();
        IllegalArgumentException direct = assertThrows(IllegalArgumentException.class, () -> epoch(sync));
        assertEquals("boom at 12", direct.getMessage());
    }

    private static Set<Thread> loaderThreads() {
        Set<Thread> out = new HashSet<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.isAlive() && t.getName().startsWith("tersor-data-loader-")) out.add(t);
        }
        return out;
    }

    private static Thread newWorker(Set<Thread> before) {
        Set<Thread> now = loaderThreads();
        now.removeAll(before);
        assertEquals(1, now.size(), "one prefetch thread per iterator");
        Thread t = now.iterator().next();
        assertTrue(t.isDaemon());
        return t;
    }

    private static void takeOneAndDrop(DataLoader loader) {
        for (Batch b : loader) {
            assertNotNull(b);
            break;
        }
    }

    @Test
    void stoppingEarlyEndsTheThread() throws InterruptedException {
        DataLoader loader = DataLoader.builder(indexed(1000)).setBatchSize(2).optPrefetch(2).build();
        Set<Thread> before = loaderThreads();
        DataLoader.Batches it = loader.iterator();
        Thread worker = newWorker(before);
        it.next();
        it.close();
        worker.join(5000);
        assertFalse(worker.isAlive(), "closed iterator's thread still running");
        assertFalse(it.hasNext());

        before = loaderThreads();
        for (Batch b : loader) {
            assertNotNull(b);
            break;                                   // abandoned without close
        }
        Thread abandoned = newWorker(before);
        loader.iterator().close();                   // the next epoch stops the previous thread
        abandoned.join(5000);
        assertFalse(abandoned.isAlive(), "previous epoch's thread still running");

        before = loaderThreads();
        takeOneAndDrop(loader);                      // in its own frame: no stale local keeps the iterator
        Thread collected = newWorker(before);
        for (int i = 0; i < 50 && collected.isAlive(); i++) {   // nothing refers to the iterator any more
            System.gc();
            collected.join(100);
        }
        assertFalse(collected.isAlive(), "abandoned iterator's thread survived its garbage collection");
        loader.close();
    }

    @Test
    void oneIteratorAtATime() {
        DataLoader loader = DataLoader.builder(indexed(100)).setBatchSize(2).optPrefetch(1).build();
        DataLoader.Batches first = loader.iterator();
        first.next();
        DataLoader.Batches second = loader.iterator();   // stops the first one's thread: never a silent short epoch
        IllegalStateException e = assertThrows(IllegalStateException.class, first::hasNext);
        assertTrue(e.getMessage().contains("use one iterator of a DataLoader at a time"), e.getMessage());
        assertEquals(1, second.epoch());
        assertEquals(50, epochOf(second));
        DataLoader sync = DataLoader.builder(indexed(10)).setBatchSize(2).optPrefetch(0).build();
        DataLoader.Batches outer = sync.iterator();
        outer.next();
        assertEquals(5, epochOf(sync.iterator()));         // without a thread, nothing to stop
        assertEquals(4, epochOf(outer));
    }

    private static int epochOf(Iterator<Batch> it) {
        int n = 0;
        while (it.hasNext()) {
            it.next();
            n++;
        }
        return n;
    }

    @Test
    void transformsAreSeededPerBatchWhateverThePrefetch() {
        float[] x = new float[40 * 6];
        for (int i = 0; i < x.length; i++) x[i] = i;
        TensorDataset ds = TensorDataset.of(x, new int[40], 1, 2, 3);
        List<Tensor> outs = new ArrayList<>();
        for (int prefetch = 0; prefetch <= 2; prefetch++) {
            DataLoader loader = DataLoader.builder(ds).setBatchSize(7).optShuffle(true).optSeed(11).optPrefetch(prefetch)
                    .optTransform(new RandomHorizontalFlip(0.5f), new RandomCrop(2, 1)).build();
            loader.setEpoch(4);
            List<Tensor> inputs = new ArrayList<>();
            for (Batch b : loader) inputs.add(b.inputs());
            assertArrayEquals(new int[] {5, 1, 2, 2}, inputs.get(inputs.size() - 1).shape());
            outs.add(Tensor.cat(0, inputs.toArray(new Tensor[0])));
        }
        assertArrayEquals(outs.get(0).toArray(), outs.get(1).toArray(), 0f);
        assertArrayEquals(outs.get(0).toArray(), outs.get(2).toArray(), 0f);
    }

    @Test
    void builderValidates() {
        TensorDataset ds = indexed(4);
        assertThrows(IllegalStateException.class, () -> DataLoader.builder(ds).build());
        assertThrows(IllegalArgumentException.class, () -> DataLoader.builder(ds).setBatchSize(0));
        assertThrows(IllegalArgumentException.class, () -> DataLoader.builder(ds).optPrefetch(3));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DataLoader.builder(ds).setBatchSize(2)
                .optTransform(new Normalize(new float[] {0, 0, 0}, new float[] {1, 1, 1})).build());
        assertTrue(e.getMessage().contains("Normalize has 3 channels but the images have 1"), e.getMessage());
        DataLoader loader = DataLoader.builder(ds).setBatchSize(2).build();
        assertSame(ds, loader.dataset());
        assertEquals(2, loader.batchSize());
    }

    @Test
    void anIteratorFromABatchGivesTheSameBatchesAsAFullIterationFromThere() {
        float[] x = new float[120];
        for (int i = 0; i < x.length; i++) x[i] = i;
        TensorDataset ds = TensorDataset.of(x, new int[40], 1, 1, 3);
        DataLoader loader = DataLoader.builder(ds).setBatchSize(6).optShuffle(true).optSeed(9).optDropLast(true)
                .optTransform(new RandomHorizontalFlip(0.5f)).build();
        loader.setEpoch(2);
        List<float[]> all = new java.util.ArrayList<>();
        for (Batch b : loader) all.add(b.inputs().toArray());
        loader.setEpoch(2);
        List<float[]> tail = new java.util.ArrayList<>();
        for (var it = loader.iterator(4); it.hasNext(); ) tail.add(it.next().inputs().toArray());
        assertEquals(all.size() - 4, tail.size());
        for (int i = 0; i < tail.size(); i++) assertArrayEquals(all.get(4 + i), tail.get(i), "batch " + (4 + i));
        assertEquals(3, loader.epoch(), "the epoch advances as with a full iteration");
        loader.setEpoch(0);
        assertFalse(loader.iterator(loader.size()).hasNext(), "from the end: nothing left");
        assertThrows(IllegalArgumentException.class, () -> loader.iterator(loader.size() + 1));
    }
}
