package dev.tersor.nn.sr;

import dev.tersor.nn.data.DataLoader;
import java.util.Iterator;
import java.util.Objects;

/**
 * Mini-batches of {@link PatchPairs}, one epoch per iteration, made ahead on a
 * {@link DataLoader} prefetch thread.
 * <pre>{@code
 * PatchLoader loader = new PatchLoader(pairs, 16, 1);
 * for (int epoch = 0; epoch < 300; epoch++) {
 *     for (PairBatch b : loader) { ... }     // lr [16, 3, 48, 48], hr [16, 3, 96, 96]
 * }
 * }</pre>
 * Epoch {@code e} serves pairs {@code 0, 1, ..} of {@code pairs.epoch(e)} in order (each pair is
 * already random, so there is nothing to shuffle): batch {@code b} holds pairs
 * {@code b·N .. b·N + N - 1}, whatever thread made it, so a run resumed with
 * {@link #setEpoch} and {@link #iterator(int)} sees exactly the batches it would have seen.
 */
public final class PatchLoader implements Iterable<PairBatch>, AutoCloseable {
    private final PatchPairs pairs;
    private final int batchSize;
    private final int prefetch;
    private int epoch;
    private DataLoader current;

    /**
     * @param batchSize pairs per batch, positive (the last batch of an epoch may hold fewer)
     * @param prefetch batches made ahead on a background thread: 0 (none), 1 or 2
     */
    public PatchLoader(PatchPairs pairs, int batchSize, int prefetch) {
        this.pairs = Objects.requireNonNull(pairs, "pairs");
        if (batchSize <= 0) throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
        if (prefetch < 0 || prefetch > 2) throw new IllegalArgumentException("prefetch must be 0, 1 or 2, got " + prefetch);
        this.batchSize = batchSize;
        this.prefetch = prefetch;
    }

    /** Batches per epoch: {@code ceil(pairs per epoch / batch size)}. */
    public int size() {
        return (pairs.size() + batchSize - 1) / batchSize;
    }

    /** The epoch the next {@link #iterator()} serves. */
    public int epoch() {
        return epoch;
    }

    /** Makes the next {@link #iterator()} serve {@code epoch}, {@code >= 0}. */
    public void setEpoch(int epoch) {
        if (epoch < 0) throw new IllegalArgumentException("epoch must be >= 0, got " + epoch);
        this.epoch = epoch;
    }

    /** The batches of epoch {@link #epoch()}, which then advances; stops the previous iterator's thread. */
    @Override
    public Iterator<PairBatch> iterator() {
        return iterator(0);
    }

    /** The batches of epoch {@link #epoch()} from batch {@code first} on (to continue an interrupted epoch). */
    public synchronized Iterator<PairBatch> iterator(int first) {
        if (first < 0 || first > size()) throw new IllegalArgumentException("first batch must be in [0, " + size() + "], got " + first);
        close();
        PatchPairs view = pairs.epoch(epoch++);
        current = DataLoader.builder(view).setBatchSize(batchSize).optPrefetch(prefetch).build();
        DataLoader.Batches batches = current.iterator(first);
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return batches.hasNext();
            }

            @Override
            public PairBatch next() {
                return view.split(batches.next());
            }
        };
    }

    /** Stops the prefetch thread of the current epoch, if any; the loader stays usable. */
    @Override
    public synchronized void close() {
        if (current != null) current.close();
        current = null;
    }
}
