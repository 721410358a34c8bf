/**
 * Data sets and their loading: {@link dev.tersor.nn.data.Dataset} and the in-memory
 * {@link dev.tersor.nn.data.TensorDataset}; the {@link dev.tersor.nn.data.DataLoader} that turns one
 * into seeded, shuffled, transformed batches with background prefetch; batch
 * {@link dev.tersor.nn.data.Transform}s; readers for MNIST / Fashion-MNIST
 * ({@link dev.tersor.nn.data.Mnist}), CIFAR-10/100 ({@link dev.tersor.nn.data.Cifar}) and folders of
 * images ({@link dev.tersor.nn.data.ImageFolder}); and the {@link dev.tersor.nn.data.DataFetcher} that
 * downloads and verifies the standard files.
 *
 * <pre>{@code
 * TensorDataset train = Mnist.bundledSample(true);                  // [8000, 1, 28, 28]
 * DataLoader loader = DataLoader.builder(train).setBatchSize(64)
 *         .optShuffle(true).optSeed(42)
 *         .optTransform(new Normalize(new float[] {0.1307f}, new float[] {0.3081f}))
 *         .build();
 * for (Batch batch : loader) {                                     // inputs [64, 1, 28, 28]
 *     ...
 * }
 * }</pre>
 *
 * Readers never write into the directory they read; they reject corrupt files with a message
 * naming the file, the offset and what was expected.
 */
package dev.tersor.nn.data;
