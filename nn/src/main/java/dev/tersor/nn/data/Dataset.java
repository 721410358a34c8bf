package dev.tersor.nn.data;

/**
 * A fixed-size, indexable collection of labelled samples. Every sample has the same shape.
 * {@link TensorDataset} keeps all of them in one array and is the fast path of
 * {@link DataLoader}; other implementations are read one {@link #get} at a time.
 */
public interface Dataset {
    /** Number of samples. */
    int size();

    /** The sample at {@code index}, {@code 0 <= index < size()}. */
    Example get(int index);
}
