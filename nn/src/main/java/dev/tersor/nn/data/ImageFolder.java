package dev.tersor.nn.data;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Reader of a folder of class subfolders holding PNG or JPEG images (torchvision's
 * {@code ImageFolder} layout): {@code root/cat/001.png}, {@code root/dog/xyz.jpg}, ... Class
 * names are the subfolder names sorted, and a class's label is its index there; images are read
 * in file-name order, class by class. Values are scaled to [0, 1]; samples are {@code [1, H, W]}
 * (grayscale) or {@code [3, H, W]} (RGB).
 * <pre>{@code
 * TensorDataset ds = ImageFolder.load(root, ImageFolder.Options.of(ImageFolder.Channels.RGB));
 * TensorDataset small = ImageFolder.load(root,
 *         ImageFolder.Options.resized(ImageFolder.Channels.GRAYSCALE, 28, 28, ImageFolder.Resize.BILINEAR));
 * }</pre>
 * Grayscale from colour is {@code 0.299 R + 0.587 G + 0.114 B} (ITU-R 601, as PIL's {@code "L"});
 * gray images read as colour repeat their one channel. Alpha is dropped. Files with other
 * extensions and hidden files are skipped.
 */
public final class ImageFolder {
    private ImageFolder() {}

    /** Channels of the loaded images. */
    public enum Channels {
        GRAYSCALE(1), RGB(3);

        private final int count;

        Channels(int count) {
            this.count = count;
        }

        /** 1 or 3. */
        public int count() {
            return count;
        }
    }

    /** Resampling used when a target size is given. Neither antialiases. */
    public enum Resize {
        /** The source pixel whose area holds the target pixel's centre. */
        NEAREST,
        /** Linear in each direction between the four nearest source pixel centres (half-pixel centres, edges clamped). */
        BILINEAR
    }

    /**
     * How to load: the channels, and either no target size ({@code height = width = 0}: all images
     * must have equal sizes) or a target size every image is resized to.
     *
     * @param channels grayscale or RGB
     * @param height target height, or 0
     * @param width target width, or 0
     * @param resize the resampling when resizing
     */
    public record Options(Channels channels, int height, int width, Resize resize) {
        public Options {
            Objects.requireNonNull(channels, "channels");
            Objects.requireNonNull(resize, "resize");
            if (height < 0 || width < 0 || (height == 0) != (width == 0)) {
                throw new IllegalArgumentException("target size must be both positive or both 0 (keep sizes), got "
                        + height + "x" + width);
            }
        }

        /** Keep sizes, which must then be equal. */
        public static Options of(Channels channels) {
            return new Options(channels, 0, 0, Resize.BILINEAR);
        }

        /** Resize every image to {@code height x width}. */
        public static Options resized(Channels channels, int height, int width, Resize resize) {
            if (height <= 0 || width <= 0) throw new IllegalArgumentException("target size must be positive, got " + height + "x" + width);
            return new Options(channels, height, width, resize);
        }
    }

    /** The class names under {@code root}: its subfolders (not hidden), sorted. */
    public static List<String> classNames(Path root) throws IOException {
        if (!Files.exists(root)) throw new NoSuchFileException(root.toString(), null, "image folder does not exist");
        if (!Files.isDirectory(root)) throw new NotDirectoryException(root.toString());
        try (Stream<Path> s = Files.list(root)) {
            return s.filter(Files::isDirectory).map(p -> p.getFileName().toString())
                    .filter(n -> !n.startsWith(".")).sorted().toList();
        }
    }

    /** Reads every image under {@code root}. */
    public static TensorDataset load(Path root, Options options) throws IOException {
        List<String> classes = classNames(root);
        if (classes.isEmpty()) throw new IOException(root + ": no class subfolders (expected root/<class>/<image>.png|jpg)");
        List<Path> files = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (int c = 0; c < classes.size(); c++) {
            List<Path> images;
            try (Stream<Path> s = Files.list(root.resolve(classes.get(c)))) {
                images = s.filter(ImageFolder::isImage).sorted().toList();
            }
            if (images.isEmpty()) throw new IOException(root.resolve(classes.get(c)) + ": class folder holds no .png, .jpg or .jpeg image");
            for (Path p : images) {
                files.add(p);
                labels.add(c);
            }
        }
        int ch = options.channels().count();
        float[] data = null;
        int h = options.height();
        int w = options.width();
        Path first = null;
        int sample = 0;
        for (int i = 0; i < files.size(); i++) {
            Path file = files.get(i);
            BufferedImage img = decode(file);
            if (data == null) {
                if (h == 0) {
                    h = img.getHeight();
                    w = img.getWidth();
                }
                first = file;
                sample = Math.multiplyExact(ch, Math.multiplyExact(h, w));
                data = new float[Math.multiplyExact(files.size(), sample)];
            } else if (options.height() == 0 && (img.getHeight() != h || img.getWidth() != w)) {
                throw new IOException(file + ": image is " + img.getWidth() + "x" + img.getHeight() + " (width x height) but " + first
                        + " is " + w + "x" + h + "; give Options.resized(...) a target size to resize them");
            }
            float[] pixels = pixels(img, ch);
            if (img.getHeight() != h || img.getWidth() != w) {
                pixels = resize(pixels, ch, img.getHeight(), img.getWidth(), h, w, options.resize());
            }
            System.arraycopy(pixels, 0, data, i * sample, sample);
        }
        int[] lab = labels.stream().mapToInt(Integer::intValue).toArray();
        return TensorDataset.wrap(data, lab, new int[] {ch, h, w}, classes);
    }

    /**
     * Decodes {@code file} with ImageIO after checking the size its header declares: at most
     * {@link #MAX_PIXELS_PER_BYTE} pixels per byte of file, just above what deflate (PNG, at 8
     * bits a sample) and JPEG can compress, so a corrupt header or a decompression bomb cannot
     * make the decoder allocate more than about {@code 4 * MAX_PIXELS_PER_BYTE} bytes per file
     * byte. Whatever the decoder throws on corrupt data becomes an {@link IOException}.
     */
    static BufferedImage decode(Path file) throws IOException {
        long bytes = Files.size(file);
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
            if (readers == null || !readers.hasNext()) throw new IOException(file + ": not a readable PNG or JPEG image");
            ImageReader reader = readers.next();
            try {
                int w, h;
                try {
                    reader.setInput(in, true, true);
                    w = reader.getWidth(0);
                    h = reader.getHeight(0);
                } catch (IOException | RuntimeException e) {
                    throw cannotDecode(file, e);
                }
                if (w <= 0 || h <= 0 || (long) w * h > MAX_PIXELS_PER_BYTE * Math.max(bytes, 64)) {
                    throw new IOException(file + ": header declares a " + w + "x" + h + " image in " + bytes + " bytes, more than "
                            + MAX_PIXELS_PER_BYTE + " pixels per byte: corrupt or a decompression bomb");
                }
                try {
                    return reader.read(0);
                } catch (IOException | RuntimeException e) {
                    throw cannotDecode(file, e);
                }
            } finally {
                reader.dispose();
            }
        }
    }

    /** Most pixels an image may declare per byte of its file (see {@link #decode}). */
    static final int MAX_PIXELS_PER_BYTE = 1100;

    /** The JDK decoders throw unchecked exceptions (index, argument, negative size) on corrupt data too. */
    private static IOException cannotDecode(Path file, Exception e) {
        return new IOException(file + ": cannot decode image (" + (e instanceof IOException ? e.getMessage() : e.toString()) + ")", e);
    }

    private static boolean isImage(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return !n.startsWith(".") && (n.endsWith(".png") || n.endsWith(".jpg") || n.endsWith(".jpeg")) && Files.isRegularFile(p);
    }

    /** The image as {@code [channels, H, W]} in [0, 1]. */
    static float[] pixels(BufferedImage img, int channels) {
        int h = img.getHeight();
        int w = img.getWidth();
        int plane = h * w;
        float[] out = new float[channels * plane];
        ColorModel cm = img.getColorModel();
        if (cm instanceof ComponentColorModel && cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY) {
            // Gray (with or without alpha): read the samples themselves; getRGB would apply a gamma conversion.
            Raster r = img.getRaster();
            float max = (1L << cm.getComponentSize(0)) - 1;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    float v = r.getSample(x, y, 0) / max;
                    for (int c = 0; c < channels; c++) out[c * plane + y * w + x] = v;
                }
            }
            return out;
        }
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            img.getRGB(0, y, w, 1, row, 0, w);
            for (int x = 0; x < w; x++) {
                int argb = row[x];
                float red = ((argb >> 16) & 0xFF) / 255f;
                float green = ((argb >> 8) & 0xFF) / 255f;
                float blue = (argb & 0xFF) / 255f;
                int at = y * w + x;
                if (channels == 1) {
                    out[at] = 0.299f * red + 0.587f * green + 0.114f * blue;
                } else {
                    out[at] = red;
                    out[plane + at] = green;
                    out[2 * plane + at] = blue;
                }
            }
        }
        return out;
    }

    /** Resizes each {@code ih x iw} plane of {@code in} to {@code oh x ow}. */
    static float[] resize(float[] in, int channels, int ih, int iw, int oh, int ow, Resize mode) {
        float[] out = new float[channels * oh * ow];
        double sy = (double) ih / oh;
        double sx = (double) iw / ow;
        for (int c = 0; c < channels; c++) {
            int ip = c * ih * iw;
            int op = c * oh * ow;
            for (int y = 0; y < oh; y++) {
                if (mode == Resize.NEAREST) {
                    int yy = Math.min(ih - 1, (int) Math.floor((y + 0.5) * sy));
                    for (int x = 0; x < ow; x++) {
                        int xx = Math.min(iw - 1, (int) Math.floor((x + 0.5) * sx));
                        out[op + y * ow + x] = in[ip + yy * iw + xx];
                    }
                    continue;
                }
                double fy = Math.min(ih - 1, Math.max(0, (y + 0.5) * sy - 0.5));
                int y0 = (int) fy;
                int y1 = Math.min(ih - 1, y0 + 1);
                double ty = fy - y0;
                for (int x = 0; x < ow; x++) {
                    double fx = Math.min(iw - 1, Math.max(0, (x + 0.5) * sx - 0.5));
                    int x0 = (int) fx;
                    int x1 = Math.min(iw - 1, x0 + 1);
                    double tx = fx - x0;
                    double top = in[ip + y0 * iw + x0] * (1 - tx) + in[ip + y0 * iw + x1] * tx;
                    double bottom = in[ip + y1 * iw + x0] * (1 - tx) + in[ip + y1 * iw + x1] * tx;
                    out[op + y * ow + x] = (float) (top * (1 - ty) + bottom * ty);
                }
            }
        }
        return out;
    }
}
