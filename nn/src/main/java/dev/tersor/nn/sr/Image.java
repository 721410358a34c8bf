package dev.tersor.nn.sr;

import dev.tersor.tensor.Tensor;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * An 8-bit image, planar {@code [C, H, W]} (C = 1 gray or 3 RGB), the unit super-resolution data
 * and metrics work on: photos are 8-bit, bicubic LR images are rounded to 8 bits (as MATLAB's
 * {@code imresize} on {@code uint8}), and SR outputs are quantised to 8 bits before they are
 * scored (as EDSR's and BasicSR's test code do).
 *
 * @param channels 1 or 3
 * @param height rows H, positive
 * @param width columns W, positive
 * @param pixels {@code C·H·W} bytes, unsigned, {@code pixels[(c·H + y)·W + x]}; not copied
 */
public record Image(int channels, int height, int width, byte[] pixels) {
    public Image {
        Objects.requireNonNull(pixels, "pixels");
        if (channels != 1 && channels != 3) throw new IllegalArgumentException("channels must be 1 or 3, got " + channels);
        if (height <= 0 || width <= 0) throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height + " (width x height)");
        if (pixels.length != (long) channels * height * width) {
            throw new IllegalArgumentException("an image of " + channels + "x" + height + "x" + width + " needs "
                    + (long) channels * height * width + " bytes, got " + pixels.length);
        }
    }

    /** A black image. */
    public static Image zeros(int channels, int height, int width) {
        return new Image(channels, height, width, new byte[Math.multiplyExact(channels, Math.multiplyExact(height, width))]);
    }

    /** The value at {@code (c, y, x)}, 0..255. */
    public int get(int c, int y, int x) {
        return pixels[(c * height + y) * width + x] & 0xFF;
    }

    /** {@code "WxH"}, for messages. */
    public String size() {
        return width + "x" + height;
    }

    /** The {@code h x w} window whose top-left pixel is {@code (top, left)}. */
    public Image crop(int top, int left, int h, int w) {
        if (top < 0 || left < 0 || h <= 0 || w <= 0 || top + h > height || left + w > width) {
            throw new IllegalArgumentException("crop " + w + "x" + h + " at (x " + left + ", y " + top + ") does not fit in a "
                    + size() + " image");
        }
        byte[] out = new byte[channels * h * w];
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < h; y++) {
                System.arraycopy(pixels, (c * height + top + y) * width + left, out, (c * h + y) * w, w);
            }
        }
        return new Image(channels, h, w, out);
    }

    /** The top-left part whose height and width are the largest multiples of {@code k} (MATLAB's {@code modcrop}). */
    public Image modcrop(int k) {
        if (k <= 0) throw new IllegalArgumentException("modcrop multiple must be positive, got " + k);
        int h = height - height % k;
        int w = width - width % k;
        if (h == 0 || w == 0) {
            throw new IllegalArgumentException("a " + size() + " image has no part whose sides are multiples of " + k);
        }
        return h == height && w == width ? this : crop(0, 0, h, w);
    }

    /**
     * One of the eight flips and rotations of the square: the output pixel {@code (y, x)} is the
     * input pixel at {@code (y', x')} with, in order, {@code transpose} swapping y and x, then
     * {@code flipV} {@code y' -> H-1-y'}, {@code flipH} {@code x' -> W-1-x'} (EDSR's {@code augment}:
     * {@code hflip}, {@code vflip}, {@code rot90} as a transpose).
     */
    public Image dihedral(boolean flipH, boolean flipV, boolean transpose) {
        if (!flipH && !flipV && !transpose) return this;
        int oh = transpose ? width : height;
        int ow = transpose ? height : width;
        byte[] out = new byte[pixels.length];
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < oh; y++) {
                for (int x = 0; x < ow; x++) {
                    int sy = transpose ? x : y;
                    int sx = transpose ? y : x;
                    if (flipV) sy = height - 1 - sy;
                    if (flipH) sx = width - 1 - sx;
                    out[(c * oh + y) * ow + x] = pixels[(c * height + sy) * width + sx];
                }
            }
        }
        return new Image(channels, oh, ow, out);
    }

    /** The same image with 3 channels (a gray image repeats its channel). */
    public Image rgb() {
        if (channels == 3) return this;
        byte[] out = new byte[3 * pixels.length];
        for (int c = 0; c < 3; c++) System.arraycopy(pixels, 0, out, c * pixels.length, pixels.length);
        return new Image(3, height, width, out);
    }

    /** {@code [C, H, W]} floats {@code v / 255} in [0, 1]. */
    public Tensor toTensor() {
        float[] out = new float[pixels.length];
        for (int i = 0; i < out.length; i++) out[i] = (pixels[i] & 0xFF) / 255f;
        return Tensor.fromArray(out, channels, height, width);
    }

    /**
     * An image from a tensor {@code [C, H, W]} (C 1 or 3) in [0, 1]: each value becomes
     * {@code round(clamp(255 v, 0, 255))} (half away from zero; NaN becomes 0), EDSR's {@code quantize}.
     */
    public static Image fromTensor(Tensor t) {
        int[] s = t.shape();
        if (s.length != 3) throw new IllegalArgumentException("an image tensor must be [C, H, W], got " + Arrays.toString(s));
        float[] v = t.toArray();
        byte[] out = new byte[v.length];
        for (int i = 0; i < v.length; i++) out[i] = (byte) toByte(255.0 * v[i]);
        return new Image(s[0], s[1], s[2], out);
    }

    /** {@code round(clamp(v, 0, 255))} with ties away from zero (MATLAB's {@code uint8} cast); NaN is 0. */
    static int toByte(double v) {
        if (!(v > 0)) return 0;
        if (v >= 255) return 255;
        return (int) (v + 0.5);
    }

    /**
     * Reads a PNG or JPEG file: gray images give 1 channel (16-bit gray is scaled to 8 bits), every
     * other kind 3 (RGB; alpha dropped).
     *
     * @throws IOException naming the file when it is missing or cannot be decoded
     */
    public static Image read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new NoSuchFileException(file.toString(), null, "no such image file");
        BufferedImage img;
        try {
            img = ImageIO.read(file.toFile());
        } catch (IOException | RuntimeException e) {
            throw new IOException(file + ": cannot decode image (" + e.getMessage() + ")", e);
        }
        if (img == null) throw new IOException(file + ": not a readable PNG or JPEG image");
        return of(img);
    }

    /** The pixels of {@code img}, as {@link #read} describes. */
    public static Image of(BufferedImage img) {
        int h = img.getHeight();
        int w = img.getWidth();
        ColorModel cm = img.getColorModel();
        if (cm instanceof ComponentColorModel && cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY) {
            // The samples themselves: getRGB would apply a gamma conversion to gray.
            Raster r = img.getRaster();
            int bits = cm.getComponentSize(0);
            double max = (1L << bits) - 1;
            byte[] out = new byte[h * w];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int s = r.getSample(x, y, 0);
                    out[y * w + x] = (byte) (bits == 8 ? s : toByte(s * 255.0 / max));
                }
            }
            return new Image(1, h, w, out);
        }
        byte[] out = new byte[3 * h * w];
        int plane = h * w;
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            img.getRGB(0, y, w, 1, row, 0, w);
            for (int x = 0; x < w; x++) {
                int at = y * w + x;
                out[at] = (byte) (row[x] >> 16);
                out[plane + at] = (byte) (row[x] >> 8);
                out[2 * plane + at] = (byte) row[x];
            }
        }
        return new Image(3, h, w, out);
    }

    /** This image as an 8-bit gray or RGB {@link BufferedImage}. */
    public BufferedImage toBufferedImage() {
        BufferedImage img = new BufferedImage(width, height, channels == 1 ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_3BYTE_BGR);
        WritableRaster r = img.getRaster();
        int[] sample = new int[channels];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                for (int c = 0; c < channels; c++) sample[c] = get(c, y, x);
                r.setPixel(x, y, sample);
            }
        }
        return img;
    }

    /** Writes a PNG (lossless) to {@code file}, through a temporary file renamed into place. */
    public void writePng(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
        try {
            if (!ImageIO.write(toBufferedImage(), "png", tmp.toFile())) throw new IOException("no PNG writer in this JVM");
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * The PNG and JPEG files directly in {@code dir} ({@code .png}, {@code .jpg}, {@code .jpeg},
     * any case; hidden files skipped), sorted by name.
     *
     * @throws IOException when {@code dir} is not a folder or holds no image
     */
    public static List<Path> list(Path dir) throws IOException {
        if (!Files.exists(dir)) throw new NoSuchFileException(dir.toString(), null, "image folder does not exist");
        if (!Files.isDirectory(dir)) throw new NotDirectoryException(dir.toString());
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(Image::isImageFile).sorted().toList();
        }
        if (files.isEmpty()) throw new IOException(dir + ": holds no .png, .jpg or .jpeg image");
        return files;
    }

    private static boolean isImageFile(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return !n.startsWith(".") && (n.endsWith(".png") || n.endsWith(".jpg") || n.endsWith(".jpeg")) && Files.isRegularFile(p);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Image i && i.channels == channels && i.height == height && i.width == width
                && Arrays.equals(i.pixels, pixels);
    }

    @Override
    public int hashCode() {
        return 31 * Objects.hash(channels, height, width) + Arrays.hashCode(pixels);
    }

    @Override
    public String toString() {
        return "Image[" + channels + "x" + height + "x" + width + "]";
    }
}
