package dev.tersor.nn.sr;

import dev.tersor.nn.data.Batch;
import dev.tersor.nn.data.Dataset;
import dev.tersor.nn.data.Example;
import dev.tersor.tensor.Generator;
import dev.tersor.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Super-resolution training pairs cut on the fly from HR photos: one epoch of {@link #size()}
 * random pairs, a {@link Dataset} so that {@link dev.tersor.nn.data.DataLoader} batches and
 * prefetches them on its thread ({@link PatchLoader} does that epoch by epoch).
 * <pre>{@code
 * PatchPairs pairs = PatchPairs.load(Path.of("data/sr-photos/hr"), new PatchSpec(2, 96, true), 16_000, 42);
 * PatchPairs.Pair p = pairs.epoch(3).pair(17);   // the same pair on every machine, every run
 * }</pre>
 *
 * <p><b>What pair i of epoch e is.</b> A generator seeded by {@code (seed, e, i)} alone draws, in
 * order: the image {@code nextInt(images)} (each photo equally likely), the LR patch's top row
 * {@code nextInt(H/s - p + 1)} and left column {@code nextInt(W/s - p + 1)} (p = LR patch side,
 * H x W the photo cropped to multiples of s), and with augmentation three coins
 * {@code nextFloat() < 0.5}: flip left-right, flip up-down, transpose. The HR patch is the
 * {@code sp x sp} window at {@code (s·top, s·left)}; the LR patch is the window at
 * {@code (top, left)} of the {@link Bicubic#downscale(Image, double) bicubic downscale of the
 * whole photo}, so training pairs are the crops of the LR images the benchmarks use (no
 * patch-border effect); both get the same flips.
 *
 * <p>{@link #get} packs a pair into one flat example {@code [C·(p² + (sp)²)]} (the LR pixels, then
 * the HR ones, label 0) so that the stock loader can stack it; {@link #split} unpacks a batch.
 * Photos are held as 8-bit RGB (gray photos repeat their channel).
 */
public final class PatchPairs implements Dataset {
    private final List<Image> images;     // RGB, cropped to multiples of the scale
    private final List<String> names;
    private final PatchSpec spec;
    private final int size;
    private final long seed;
    private final int epoch;

    private PatchPairs(List<Image> images, List<String> names, PatchSpec spec, int size, long seed, int epoch) {
        this.images = images;
        this.names = names;
        this.spec = spec;
        this.size = size;
        this.seed = seed;
        this.epoch = epoch;
    }

    /**
     * Pairs from {@code images} (named in messages by {@code names}, one per image).
     *
     * @param perEpoch pairs per epoch, positive
     * @throws IllegalArgumentException naming the image and both sizes when an image, cropped to
     *     multiples of the scale, is smaller than the HR patch
     */
    public static PatchPairs of(List<Image> images, List<String> names, PatchSpec spec, int perEpoch, long seed) {
        Objects.requireNonNull(spec, "spec");
        if (images.isEmpty()) throw new IllegalArgumentException("patch pairs need at least one image");
        if (names.size() != images.size()) throw new IllegalArgumentException(images.size() + " images but " + names.size() + " names");
        if (perEpoch <= 0) throw new IllegalArgumentException("pairs per epoch must be positive, got " + perEpoch);
        List<Image> kept = new ArrayList<>(images.size());
        for (int i = 0; i < images.size(); i++) {
            Image img = images.get(i);
            int s = spec.scale();
            int h = img.height() - img.height() % s;
            int w = img.width() - img.width() % s;
            if (h < spec.hrSize() || w < spec.hrSize()) {
                throw new IllegalArgumentException(names.get(i) + ": image is " + img.size() + " (" + w + "x" + h + " cropped to"
                        + " multiples of the scale " + s + "), smaller than the " + spec.hrSize() + "x" + spec.hrSize() + " HR patch");
            }
            kept.add(img.modcrop(s).rgb());
        }
        return new PatchPairs(List.copyOf(kept), List.copyOf(names), spec, perEpoch, seed, 0);
    }

    /** Pairs from every PNG/JPEG directly in {@code dir} (see {@link Image#list}), as {@link #of}. */
    public static PatchPairs load(Path dir, PatchSpec spec, int perEpoch, long seed) throws IOException {
        List<Image> images = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (Path p : Image.list(dir)) {
            images.add(Image.read(p));
            names.add(p.toString());
        }
        return of(images, names, spec, perEpoch, seed);
    }

    /** The same photos and seed at {@code epoch} ({@code >= 0}). */
    public PatchPairs epoch(int epoch) {
        if (epoch < 0) throw new IllegalArgumentException("epoch must be >= 0, got " + epoch);
        return epoch == this.epoch ? this : new PatchPairs(images, names, spec, size, seed, epoch);
    }

    /** The epoch whose pairs this view gives. */
    public int epoch() {
        return epoch;
    }

    /** The patch settings. */
    public PatchSpec spec() {
        return spec;
    }

    /** The photos, RGB, cropped to multiples of the scale. */
    public List<Image> images() {
        return images;
    }

    /** Pairs per epoch. */
    @Override
    public int size() {
        return size;
    }

    /** One LR/HR pair of 8-bit RGB patches. */
    public record Pair(Image lr, Image hr) {}

    /** Pair {@code index} of this epoch, as the class describes. */
    public Pair pair(int index) {
        Objects.checkIndex(index, size);
        Generator g = new Generator(Generator.mix(seed, epoch, index));
        int s = spec.scale();
        int p = spec.lrSize();
        Image img = images.get(g.nextInt(images.size()));
        int top = g.nextInt(img.height() / s - p + 1);
        int left = g.nextInt(img.width() / s - p + 1);
        Image lr = Bicubic.downscale(img, s, top, left, p, p);
        Image hr = img.crop(top * s, left * s, spec.hrSize(), spec.hrSize());
        if (spec.augment()) {
            boolean flipH = g.nextFloat() < 0.5f;
            boolean flipV = g.nextFloat() < 0.5f;
            boolean transpose = g.nextFloat() < 0.5f;
            lr = lr.dihedral(flipH, flipV, transpose);
            hr = hr.dihedral(flipH, flipV, transpose);
        }
        return new Pair(lr, hr);
    }

    /** Pair {@code index} packed as {@code [3·(p² + (sp)²)]}: LR then HR, values in [0, 1]; label 0. */
    @Override
    public Example get(int index) {
        Pair pair = pair(index);
        byte[] a = pair.lr().pixels();
        byte[] b = pair.hr().pixels();
        float[] v = new float[a.length + b.length];
        for (int i = 0; i < a.length; i++) v[i] = (a[i] & 0xFF) / 255f;
        for (int i = 0; i < b.length; i++) v[a.length + i] = (b[i] & 0xFF) / 255f;
        return new Example(Tensor.fromArray(v, v.length), 0);
    }

    /** Unpacks a batch of {@link #get} examples into LR {@code [N, 3, p, p]} and HR {@code [N, 3, sp, sp]}. */
    public PairBatch split(Batch batch) {
        int p = spec.lrSize();
        int q = spec.hrSize();
        int lrLen = 3 * p * p;
        int hrLen = 3 * q * q;
        int[] s = batch.inputs().shape();
        if (s.length != 2 || s[1] != lrLen + hrLen) {
            throw new IllegalArgumentException("expected a batch of packed pairs [N, " + (lrLen + hrLen) + "] for " + spec
                    + ", got " + Arrays.toString(s));
        }
        int n = s[0];
        float[] v = batch.inputs().toArray();
        float[] lr = new float[n * lrLen];
        float[] hr = new float[n * hrLen];
        for (int i = 0; i < n; i++) {
            System.arraycopy(v, i * (lrLen + hrLen), lr, i * lrLen, lrLen);
            System.arraycopy(v, i * (lrLen + hrLen) + lrLen, hr, i * hrLen, hrLen);
        }
        return new PairBatch(Tensor.fromArray(lr, n, 3, p, p), Tensor.fromArray(hr, n, 3, q, q));
    }


    @Override
    public String toString() {
        return "PatchPairs[" + images.size() + " photos, " + spec + ", " + size + " pairs per epoch, seed " + seed + ", epoch " + epoch + "]";
    }
}
