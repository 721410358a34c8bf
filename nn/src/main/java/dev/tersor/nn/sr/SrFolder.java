package dev.tersor.nn.sr;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * The images of a folder for super-resolution training or validation, read once, those that
 * fail a size test left out and named (the caller warns with their count).
 * <pre>{@code
 * SrFolder train = SrFolder.load(Path.of("data/sr-photos"), SrFolder.fitsPatch(spec));
 * SrFolder val = SrFolder.load(Path.of("data/sr-eval"), img -> SrEvaluation.scorable(img, 2));
 * }</pre>
 *
 * @param images  the images kept, in file-name order ({@link Image#list})
 * @param names   their paths, as given
 * @param skipped the images left out, each as {@code "path (WxH)"}
 */
public record SrFolder(List<Image> images, List<String> names, List<String> skipped) {
    public SrFolder {
        images = List.copyOf(images);
        names = List.copyOf(names);
        skipped = List.copyOf(skipped);
        if (images.size() != names.size()) throw new IllegalArgumentException(images.size() + " images but " + names.size() + " names");
    }

    /**
     * Every PNG/JPEG directly in {@code dir} that passes {@code keep}.
     *
     * @throws IOException naming the file when one is corrupt, truncated or not an image, or when
     *     the folder is missing or holds no image
     */
    public static SrFolder load(Path dir, Predicate<Image> keep) throws IOException {
        Objects.requireNonNull(keep, "keep");
        List<Image> images = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (Path p : Image.list(dir)) {
            Image img = Image.read(p);
            if (keep.test(img)) {
                images.add(img);
                names.add(p.toString());
            } else {
                skipped.add(p + " (" + img.size() + ")");
            }
        }
        return new SrFolder(images, names, skipped);
    }

    /**
     * True for images that hold a training pair of {@code spec}: at least
     * {@code hrSize x hrSize} once cropped to multiples of the scale (what {@link PatchPairs#of} requires).
     */
    public static Predicate<Image> fitsPatch(PatchSpec spec) {
        int s = spec.scale();
        return img -> img.height() - img.height() % s >= spec.hrSize() && img.width() - img.width() % s >= spec.hrSize();
    }

    /** Images seen: kept and skipped. */
    public int total() {
        return images.size() + skipped.size();
    }
}
