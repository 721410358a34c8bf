package dev.tersor.nn.sr;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The NumPy reference files of {@code src/test/resources/sr/} (written by its generate.py). */
final class Fixtures {
    private Fixtures() {}

    static Path path(String name) {
        URL url = Fixtures.class.getResource("/sr/" + name);
        if (url == null) throw new IllegalStateException("missing test fixture sr/" + name + "; run generate.py");
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static Image image(String name) {
        try {
            return Image.read(path(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The non-comment lines of expected.txt, split on spaces. */
    static List<String[]> expected() {
        try {
            return Files.readAllLines(path("expected.txt")).stream()
                    .filter(l -> !l.isBlank() && !l.startsWith("#")).map(l -> l.trim().split(" ")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A small image whose values follow {@code f(c, y, x) & 0xFF}. */
    static Image pattern(int channels, int h, int w, Pixel f) {
        byte[] p = new byte[channels * h * w];
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) p[(c * h + y) * w + x] = (byte) f.at(c, y, x);
            }
        }
        return new Image(channels, h, w, p);
    }

    interface Pixel {
        int at(int c, int y, int x);
    }
}
