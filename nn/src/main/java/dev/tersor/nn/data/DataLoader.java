package dev.tersor.nn.data;

import dev.tersor.tensor.Generator;
import dev.tersor.tensor.IntTensor;
import dev.tersor.tensor.Tensor;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Turns a {@link Dataset} into mini-batches, one epoch per iteration.
 * <pre>{@code
 * DataLoader loader = DataLoader.builder(train).setBatchSize(128)
 *         .optShuffle(true).optSeed(42).optDropLast(true)
 *         .optTransform(new RandomCrop(32, 4), new RandomHorizontalFlip(0.5f))
 *         .build();
 * for (int epoch = 0; epoch < 10; epoch++) {
 *     for (Batch b : loader) { ... }   // inputs [128, 3, 32, 32], labels [128]
 * }
 * }</pre>
 *
 * <p><b>Order.</b> Each {@link #iterator()} serves epoch {@link #epoch()} and then advances it by
 * one. With shuffling the order of epoch {@code e} is a permutation drawn from a generator seeded
 * by {@code (seed, e)} alone, and the random transforms of batch {@code b} draw from a generator
 * seeded by {@code (seed, e, b)}: so a run resumed with {@link #setEpoch(int)} sees exactly the
 * batches it would have seen, whatever thread made them.
 *
 * <p><b>Prefetch.</b> With {@code optPrefetch(k)}, {@code k} in 1..2 (default 1), one daemon thread
 * prepares up to {@code k} batches ahead. An exception there is rethrown to the consumer by
 * {@code next()} (wrapped, with the original as cause). The thread ends with the epoch, when
 * the iterator is {@link Batches#close() closed}, when the loader starts another epoch (the old
 * iterator then refuses further use) or is closed, or, for an iterator simply abandoned, soon
 * after it is garbage collected.
 * {@code optPrefetch(0)} makes batches on the calling thread.
 */
public final class DataLoader implements Iterable<Batch>, AutoCloseable {
    private static final AtomicInteger THREADS = new AtomicInteger();
    private static final Object END = new Object();

    private final Dataset dataset;
    private final int batchSize;
    private final boolean shuffle;
    private final long seed;
    private final boolean dropLast;
    private final List<Transform> transforms;
    private final int prefetch;
    private final int[] sampleShape;    // of the dataset's samples
    private final int[] outputShape;    // of a sample after the transforms
    private int epoch;
    private WeakReference<Batches> active = new WeakReference<>(null);

    private DataLoader(Builder b) {
        this.dataset = b.dataset;
        this.batchSize = b.batchSize;
        this.shuffle = b.shuffle;
        this.seed = b.seed;
        this.dropLast = b.dropLast;
        this.transforms = List.copyOf(b.transforms);
        this.prefetch = b.prefetch;
        if (dataset instanceof TensorDataset td) {
            sampleShape = td.sampleShape();
        } else {
            sampleShape = dataset.size() == 0 ? new int[0] : dataset.get(0).input().shape();
        }
        int[] shape = sampleShape;
        if (dataset.size() > 0) {
            for (Transform t : transforms) shape = t.outputShape(shape);
        }
        this.outputShape = shape;
    }

    /** A builder for a loader over {@code dataset}. */
    public static Builder builder(Dataset dataset) {
        return new Builder(dataset);
    }

    /** Number of batches in one epoch: {@code ceil(N / batchSize)}, or {@code floor} with drop-last. */
    public int size() {
        int n = dataset.size();
        return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
    }

    /** The data set. */
    public Dataset dataset() {
        return dataset;
    }

    /** Samples per batch (the last batch may hold fewer unless drop-last). */
    public int batchSize() {
        return batchSize;
    }

    /** The epoch the next {@link #iterator()} will serve. */
    public int epoch() {
        return epoch;
    }

    /** Makes the next {@link #iterator()} serve {@code epoch} (to resume a run), {@code >= 0}. */
    public void setEpoch(int epoch) {
        if (epoch < 0) throw new IllegalArgumentException("epoch must be >= 0, got " + epoch);
        this.epoch = epoch;
    }

    /**
     * The batches of epoch {@link #epoch()}, which then advances by one. Stops the prefetch thread
     * of this loader's previous iterator, if it still runs: using that iterator afterwards throws
     * {@link IllegalStateException} (one iterator per loader at a time).
     */
    @Override
    public synchronized Batches iterator() {
        return iterator(0);
    }

    /**
     * The batches of epoch {@link #epoch()} from batch {@code first} on (0-based; the same batches
     * a full iteration gives from there: order and augmentation depend on the seed, epoch and
     * batch index only), to continue an epoch interrupted after {@code first} steps.
     */
    public synchronized Batches iterator(int first) {
        if (first < 0 || first > size()) throw new IllegalArgumentException("first batch must be in [0, " + size() + "], got " + first);
        closeActive();
        Batches it = new Batches(this, epoch++, first);
        active = new WeakReference<>(it);
        return it;
    }

    /** Stops the prefetch thread of the current iterator, if any; the loader stays usable. */
    @Override
    public synchronized void close() {
        closeActive();
    }

    private void closeActive() {
        Batches previous = active.get();
        if (previous != null) previous.supersede();
        active = new WeakReference<>(null);
    }

    /** The sample order of {@code epoch}: a permutation seeded by {@code (seed, epoch)}, or 0..N-1. */
    int[] order(int epoch) {
        int n = dataset.size();
        if (!shuffle) {
            int[] o = new int[n];
            for (int i = 0; i < n; i++) o[i] = i;
            return o;
        }
        return new Generator(Generator.mix(seed, 0x5EED5EEDL, epoch)).permutation(n);
    }

    /** Batch {@code b} of an epoch whose sample order is {@code order}. */
    Batch batch(int epoch, int[] order, int b) {
        int from = b * batchSize;
        int count = Math.min(batchSize, order.length - from);
        int sample = numel(sampleShape);
        float[] data = new float[Math.multiplyExact(count, sample)];
        int[] labels = new int[count];
        if (dataset instanceof TensorDataset td) {
            td.gather(order, from, count, data, labels);
        } else {
            for (int k = 0; k < count; k++) {
                Example e = dataset.get(order[from + k]);
                int[] s = e.input().shape();
                if (!Arrays.equals(s, sampleShape)) {
                    throw new IllegalStateException("sample " + order[from + k] + " has shape " + Arrays.toString(s)
                            + " but sample 0 has " + Arrays.toString(sampleShape) + ": a batch needs equal shapes");
                }
                System.arraycopy(e.input().toArray(), 0, data, k * sample, sample);
                labels[k] = e.label();
            }
        }
        int[] shape = sampleShape;
        if (!transforms.isEmpty()) {
            Generator gen = new Generator(Generator.mix(seed, epoch, b));
            for (Transform t : transforms) {
                int[] next = t.outputShape(shape);
                float[] out = Arrays.equals(next, shape) ? data : new float[Math.multiplyExact(count, numel(next))];
                t.apply(data, out, count, shape, gen);
                data = out;
                shape = next;
            }
        }
        int[] full = new int[shape.length + 1];
        full[0] = count;
        System.arraycopy(shape, 0, full, 1, shape.length);
        return new Batch(Tensor.fromArray(data, full), IntTensor.of(labels, count));
    }

    private static int numel(int[] shape) {
        int n = 1;
        for (int d : shape) n = Math.multiplyExact(n, d);
        return n;
    }


    @Override
    public String toString() {
        return "DataLoader[" + dataset.size() + " samples, batch " + batchSize + ", " + size() + " batches"
                + (shuffle ? ", shuffled (seed " + seed + ")" : "") + (dropLast ? ", drop last" : "")
                + ", transforms " + transforms + ", prefetch " + prefetch + ", output sample " + Arrays.toString(outputShape) + "]";
    }

    /**
     * The batches of one epoch. Close it to stop its prefetch thread early (stopping is also
     * automatic: see {@link DataLoader}).
     */
    public static final class Batches implements Iterator<Batch>, AutoCloseable {
        private final DataLoader loader;
        private final int epoch;
        private final int[] order;
        private final int count;
        private final BlockingQueue<Object> queue;    // null without prefetch
        private final AtomicBoolean stop = new AtomicBoolean();
        private final Thread worker;
        private volatile boolean superseded;   // stopped because the loader started another epoch
        private int next;

        private Batches(DataLoader loader, int epoch, int first) {
            this.loader = loader;
            this.epoch = epoch;
            this.order = loader.order(epoch);
            this.count = loader.size();
            this.next = first;
            if (loader.prefetch == 0 || count == first) {
                queue = null;
                worker = null;
            } else {
                queue = new ArrayBlockingQueue<>(loader.prefetch);
                Producer p = new Producer(loader, epoch, order, first, count, queue, stop, new WeakReference<>(this));
                worker = new Thread(p, "tersor-data-loader-" + THREADS.incrementAndGet());
                worker.setDaemon(true);
                worker.start();
            }
        }

        /** The epoch these batches belong to. */
        public int epoch() {
            return epoch;
        }

        @Override
        public boolean hasNext() {
            if (superseded) {
                throw new IllegalStateException("the iterator of epoch " + epoch + " was stopped because its loader started"
                        + " another epoch; use one iterator of a DataLoader at a time");
            }
            return next < count && !stop.get();
        }

        @Override
        public Batch next() {
            if (!hasNext()) throw new NoSuchElementException("epoch " + epoch + " has no batch after " + next);
            int b = next++;
            if (queue == null) return loader.batch(epoch, order, b);
            Object item;
            try {
                while ((item = queue.poll(50, TimeUnit.MILLISECONDS)) == null) {
                    if (superseded || stop.get() || !worker.isAlive()) {   // closed meanwhile, or the thread is gone
                        item = queue.poll();
                        if (item != null) break;
                        hasNext();   // throws when superseded
                        throw new IllegalStateException("batch " + b + " of epoch " + epoch + " will not come: the iterator was "
                                + (stop.get() ? "closed" : "left by its prefetch thread") + " while waiting for it");
                    }
                }
            } catch (InterruptedException e) {
                close();
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for batch " + b + " of epoch " + epoch, e);
            }
            if (item instanceof Failure f) {
                close();
                throw new IllegalStateException("the data loader's prefetch thread failed on batch " + f.batch
                        + " of epoch " + epoch + ": " + f.error, f.error);
            }
            return (Batch) item;
        }

        /** Stops a running prefetch thread because the loader moves on; later use of this iterator throws. */
        private void supersede() {
            if (worker != null && worker.isAlive() && !stop.get()) {
                superseded = true;
                close();
            }
        }

        /** Stops the prefetch thread; {@link #hasNext()} is false afterwards. Idempotent. */
        @Override
        public void close() {
            stop.set(true);
            if (worker != null) {
                worker.interrupt();
                queue.clear();
            }
        }
    }

    /** A worker error, delivered in place of the batch it failed on. */
    private record Failure(int batch, Throwable error) {}

    /** The prefetch loop. Holds no strong reference to its {@link Batches}, so it can see it collected. */
    private static final class Producer implements Runnable {
        private final DataLoader loader;
        private final int epoch;
        private final int[] order;
        private final int first, count;
        private final BlockingQueue<Object> queue;
        private final AtomicBoolean stop;
        private final WeakReference<Batches> owner;

        Producer(DataLoader loader, int epoch, int[] order, int first, int count, BlockingQueue<Object> queue,
                 AtomicBoolean stop, WeakReference<Batches> owner) {
            this.loader = loader;
            this.epoch = epoch;
            this.order = order;
            this.first = first;
            this.count = count;
            this.queue = queue;
            this.stop = stop;
            this.owner = owner;
        }

        @Override
        public void run() {
            for (int b = first; b < count; b++) {
                if (stop.get()) return;
                Object item;
                try {
                    item = loader.batch(epoch, order, b);
                } catch (Throwable t) {   // delivered to the consumer, which rethrows it
                    item = new Failure(b, t);
                }
                if (!put(item) || item instanceof Failure) return;
            }
        }

        /** Waits for room, giving up when stopped or when nobody can consume any more. */
        private boolean put(Object item) {
            try {
                while (!queue.offer(item, 50, TimeUnit.MILLISECONDS)) {
                    if (stop.get() || owner.get() == null) return false;
                }
                return !stop.get();
            } catch (InterruptedException e) {
                return false;
            }
        }
    }

    /**
     * Options of a {@link DataLoader}; {@link #setBatchSize} is required, the rest optional.
     * Validated as they are set.
     */
    public static final class Builder {
        private final Dataset dataset;
        private int batchSize;
        private boolean shuffle;
        private long seed;
        private boolean dropLast;
        private final List<Transform> transforms = new ArrayList<>();
        private int prefetch = 1;

        private Builder(Dataset dataset) {
            this.dataset = Objects.requireNonNull(dataset, "dataset");
        }

        /** Samples per batch, positive. */
        public Builder setBatchSize(int batchSize) {
            if (batchSize <= 0) throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
            this.batchSize = batchSize;
            return this;
        }

        /** Whether each epoch visits the samples in a new seeded random order (default false). */
        public Builder optShuffle(boolean shuffle) {
            this.shuffle = shuffle;
            return this;
        }

        /** Seed of the shuffling and of the random transforms (default 0). */
        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Whether to skip a last, smaller batch (default false). */
        public Builder optDropLast(boolean dropLast) {
            this.dropLast = dropLast;
            return this;
        }

        /** Appends transforms, applied in order to every batch. */
        public Builder optTransform(Transform... transforms) {
            for (Transform t : transforms) this.transforms.add(Objects.requireNonNull(t, "transform"));
            return this;
        }

        /** Batches prepared ahead on a background thread: 0 (none, no thread), 1 (default) or 2. */
        public Builder optPrefetch(int prefetch) {
            if (prefetch < 0 || prefetch > 2) throw new IllegalArgumentException("prefetch must be 0, 1 or 2, got " + prefetch);
            this.prefetch = prefetch;
            return this;
        }

        /** The loader; checks that the transforms fit the samples. */
        public DataLoader build() {
            if (batchSize == 0) throw new IllegalStateException("DataLoader needs setBatchSize(n)");
            return new DataLoader(this);
        }
    }
}
