package dev.tersor.nn.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reader of the binary versions of CIFAR-10 and CIFAR-100 (Krizhevsky, 2009). A record is a label
 * byte (CIFAR-100: a coarse then a fine label byte; the fine label is used) followed by 3,072
 * pixel bytes: the 32x32 red plane, then green, then blue, rows top to bottom, which is already
 * {@code [3, 32, 32]}. Values are scaled to [0, 1].
 * <ul>
 *   <li>CIFAR-10: {@code data_batch_1.bin} .. {@code data_batch_5.bin} (train), {@code test_batch.bin}
 *       (test), 3,073-byte records, in {@code dir} or in {@code dir/cifar-10-batches-bin} (the
 *       folder of {@code cifar-10-binary.tar.gz}).</li>
 *   <li>CIFAR-100: {@code train.bin}, {@code test.bin}, 3,074-byte records, in {@code dir} or in
 *       {@code dir/cifar-100-binary}.</li>
 * </ul>
 * <pre>{@code
 * TensorDataset train = Cifar.cifar10(Path.of("data"), true);   // [50000, 3, 32, 32]
 * }</pre>
 */
public final class Cifar {
    /** Values in one image: 3 x 32 x 32. */
    public static final int IMAGE_BYTES = 3 * 32 * 32;
    /** CIFAR-10 class names, by label. */
    public static final List<String> CIFAR10_CLASSES = List.of("airplane", "automobile", "bird", "cat", "deer",
            "dog", "frog", "horse", "ship", "truck");
    /** CIFAR-100 fine class names, by label (alphabetical, as in {@code fine_label_names.txt}). */
    public static final List<String> CIFAR100_CLASSES = List.of(
            "apple", "aquarium_fish", "baby", "bear", "beaver", "bed", "bee", "beetle", "bicycle", "bottle",
            "bowl", "boy", "bridge", "bus", "butterfly", "camel", "can", "castle", "caterpillar", "cattle",
            "chair", "chimpanzee", "clock", "cloud", "cockroach", "couch", "crab", "crocodile", "cup", "dinosaur",
            "dolphin", "elephant", "flatfish", "forest", "fox", "girl", "hamster", "house", "kangaroo", "keyboard",
            "lamp", "lawn_mower", "leopard", "lion", "lizard", "lobster", "man", "maple_tree", "motorcycle", "mountain",
            "mouse", "mushroom", "oak_tree", "orange", "orchid", "otter", "palm_tree", "pear", "pickup_truck", "pine_tree",
            "plain", "plate", "poppy", "porcupine", "possum", "rabbit", "raccoon", "ray", "road", "rocket",
            "rose", "sea", "seal", "shark", "shrew", "skunk", "skyscraper", "snail", "snake", "spider",
            "squirrel", "streetcar", "sunflower", "sweet_pepper", "table", "tank", "telephone", "television", "tiger", "tractor",
            "train", "trout", "tulip", "turtle", "wardrobe", "whale", "willow_tree", "wolf", "woman", "worm");

    private static final float[] UNIT = new float[256];

    static {
        for (int i = 0; i < 256; i++) UNIT[i] = i / 255f;
    }

    private Cifar() {}

    /** The file names of a CIFAR-10 split. */
    public static List<String> cifar10Files(boolean train) {
        return train ? List.of("data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin")
                : List.of("test_batch.bin");
    }

    /** The file name of a CIFAR-100 split. */
    public static List<String> cifar100Files(boolean train) {
        return List.of(train ? "train.bin" : "test.bin");
    }

    /** CIFAR-10's train (50,000) or test (10,000) split: inputs {@code [N, 3, 32, 32]}, labels 0..9. */
    public static TensorDataset cifar10(Path dir, boolean train) throws IOException {
        List<Path> files = locate(dir, "cifar-10-batches-bin", cifar10Files(train), "CIFAR-10", train);
        return read(files, 1, 0, CIFAR10_CLASSES);
    }

    /** CIFAR-100's train (50,000) or test (10,000) split with fine labels 0..99. */
    public static TensorDataset cifar100(Path dir, boolean train) throws IOException {
        List<Path> files = locate(dir, "cifar-100-binary", cifar100Files(train), "CIFAR-100", train);
        return read(files, 2, 1, CIFAR100_CLASSES);
    }

    /** The files in {@code dir}, or else in {@code dir/sub}; all of them in one of the two. */
    private static List<Path> locate(Path dir, String sub, List<String> names, String what, boolean train) throws IOException {
        for (Path d : List.of(dir, dir.resolve(sub))) {
            List<Path> files = new ArrayList<>();
            for (String n : names) if (Files.isRegularFile(d.resolve(n))) files.add(d.resolve(n));
            if (files.size() == names.size()) return files;
        }
        List<String> missing = new ArrayList<>();
        for (String n : names) {
            if (!Files.isRegularFile(dir.resolve(n)) && !Files.isRegularFile(dir.resolve(sub).resolve(n))) missing.add(n);
        }
        throw new NoSuchFileException(dir.toAbsolutePath().toString(), null, what + " " + (train ? "train" : "test")
                + " split: expected " + String.join(", ", names) + " in this directory or in its subfolder " + sub
                + (missing.isEmpty() ? " (they are split between the two)" : "; missing " + String.join(", ", missing)));
    }

    private static TensorDataset read(List<Path> files, int labelBytes, int labelAt, List<String> classes) throws IOException {
        int record = labelBytes + IMAGE_BYTES;
        long total = 0;
        for (Path f : files) {
            long size = Files.size(f);
            if (size == 0 || size % record != 0) {
                throw new IOException(f + ": " + size + " bytes is not a whole, non-zero number of " + record + "-byte records ("
                        + labelBytes + " label byte" + (labelBytes > 1 ? "s" : "") + " + " + IMAGE_BYTES + " pixel bytes)"
                        + (size % record != 0 ? "; the last record is cut at offset " + (size - size % record) : ""));
            }
            total += size / record;
        }
        if (total * IMAGE_BYTES > Integer.MAX_VALUE - 64) throw new IOException(files + ": " + total + " images are too many for one array");
        float[] pixels = new float[(int) total * IMAGE_BYTES];
        int[] labels = new int[(int) total];
        int n = 0;
        byte[] buf = new byte[record * 256];
        for (Path f : files) {
            long records = Files.size(f) / record;
            try (InputStream in = new BufferedInputStream(Files.newInputStream(f), 1 << 16)) {
                for (long r = 0; r < records; ) {
                    int chunk = (int) Math.min(256, records - r);
                    int got = in.readNBytes(buf, 0, chunk * record);
                    if (got < chunk * record) {
                        throw new IOException(f + ": ends at offset " + (r * record + got) + " while reading record " + (r + got / record)
                                + " (the file shrank while being read)");
                    }
                    for (int k = 0; k < chunk; k++, r++, n++) {
                        int at = k * record;
                        int label = buf[at + labelAt] & 0xFF;
                        if (label >= classes.size()) {
                            throw new IOException(f + ": label " + label + " at offset " + (r * record + labelAt) + " (record " + r
                                    + "), expected 0.." + (classes.size() - 1));
                        }
                        if (labelBytes == 2 && (buf[at] & 0xFF) >= 20) {
                            throw new IOException(f + ": coarse label " + (buf[at] & 0xFF) + " at offset " + (r * record) + " (record " + r
                                    + "), expected 0..19");
                        }
                        labels[n] = label;
                        int dst = n * IMAGE_BYTES;
                        for (int i = 0; i < IMAGE_BYTES; i++) pixels[dst + i] = UNIT[buf[at + labelBytes + i] & 0xFF];
                    }
                }
            }
        }
        return TensorDataset.wrap(pixels, labels, new int[] {3, 32, 32}, classes);
    }
}
