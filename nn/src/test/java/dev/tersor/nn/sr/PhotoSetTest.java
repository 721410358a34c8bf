package dev.tersor.nn.sr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpServer;
import dev.tersor.nn.data.DataFetcher.RemoteFile;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PhotoSetTest {
    @TempDir
    Path tmp;

    private HttpServer http;
    private final Map<String, byte[]> served = new ConcurrentHashMap<>();
    private final AtomicInteger requests = new AtomicInteger();
    private final ByteArrayOutputStream log = new ByteArrayOutputStream();
    private final PrintStream progress = new PrintStream(log, true, StandardCharsets.UTF_8);

    @AfterEach
    void stop() {
        if (http != null) http.stop(0);
    }

    private URI serve() throws IOException {
        http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.createContext("/m/", ex -> {
            try (ex) {
                requests.incrementAndGet();
                byte[] data = served.get(ex.getRequestURI().getPath().substring(3));
                if (data == null) {
                    ex.sendResponseHeaders(404, -1);
                    return;
                }
                ex.sendResponseHeaders(200, data.length);
                ex.getResponseBody().write(data);
            }
        });
        http.start();
        return URI.create("http://127.0.0.1:" + http.getAddress().getPort() + "/m/");
    }

    private static boolean hasDpkgDeb() {
        try {
            return new ProcessBuilder("dpkg-deb", "--version").redirectErrorStream(true).start().waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /** A .deb holding usr/share/photos/a.jpg and b.png, built with dpkg-deb -b. */
    private byte[] buildDeb(byte[] jpeg, Image png) throws IOException, InterruptedException {
        Path root = tmp.resolve("pkgroot");
        Files.createDirectories(root.resolve("DEBIAN"));
        Files.createDirectories(root.resolve("usr/share/photos"));
        Files.writeString(root.resolve("DEBIAN/control"), "Package: fake-photos\nVersion: 1.0\nArchitecture: all\n"
                + "Maintainer: Test <test@example.org>\nDescription: photos for a test\n");
        Files.write(root.resolve("usr/share/photos/a.jpg"), jpeg);
        png.writePng(root.resolve("usr/share/photos/b.png"));
        Path deb = tmp.resolve("fake.deb");
        Process p = new ProcessBuilder("dpkg-deb", "--root-owner-group", "-b", root.toString(), deb.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return Files.readAllBytes(deb);
    }

    private static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    private static PhotoSet set(byte[] deb, String sha, boolean downscale) {
        PhotoSet.Deb pkg = new PhotoSet.Deb(new RemoteFile("fake.deb", deb.length, sha), "f/fake");
        return new PhotoSet("test", List.of(pkg), List.of(
                new PhotoSet.Photo("fake.deb", "usr/share/photos/a.jpg", "a.png"),
                new PhotoSet.Photo("fake.deb", "usr/share/photos/b.png", "b.png")), downscale);
    }

    @Test
    void downloadsUnpacksAndDownscalesEveryPhotoOnce() throws Exception {
        assumeTrue(hasDpkgDeb(), "needs dpkg-deb");
        Image photo = Fixtures.image("in_astronaut.png");
        ByteArrayOutputStream jpeg = new ByteArrayOutputStream();
        assertTrue(ImageIO.write(photo.toBufferedImage(), "jpeg", jpeg));
        Image gray = Fixtures.image("in_camera.png");
        byte[] deb = buildDeb(jpeg.toByteArray(), gray);
        served.put("fake.deb", deb);
        URI mirror = serve();
        Path dir = tmp.resolve("photos");
        PhotoSet set = set(deb, sha256(deb), true);

        assertEquals(dir, set.fetch(dir, mirror, progress));
        Image decoded = Image.of(ImageIO.read(new ByteArrayInputStream(jpeg.toByteArray())));
        assertEquals(Bicubic.downscale(decoded, 2), Image.read(dir.resolve("a.png")));   // 47x40 -> 24x20
        assertEquals(Bicubic.downscale(gray, 2), Image.read(dir.resolve("b.png")));
        assertEquals(1, Image.read(dir.resolve("b.png")).channels());
        assertTrue(Files.isRegularFile(dir.resolve("packages/fake.deb")));
        assertFalse(Files.exists(dir.resolve("packages/fake.deb.d")), "the unpacked tree is deleted");
        assertEquals(1, requests.get());

        Files.delete(dir.resolve("packages/fake.deb"));
        set.fetch(dir, mirror, progress);   // every PNG is there: nothing to download
        assertEquals(1, requests.get());
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("test: 2 photos in " + dir + " (2 were already there)"), log.toString());
    }

    @Test
    void aWrongPackageIsRejectedAndTheErrorSaysWhatToPlaceWhere() throws Exception {
        assumeTrue(hasDpkgDeb(), "needs dpkg-deb");
        byte[] deb = "not the package".getBytes(StandardCharsets.US_ASCII);
        served.put("fake.deb", deb);
        URI mirror = serve();
        Path dir = tmp.resolve("photos");
        String pinned = "0".repeat(64);
        IOException e = assertThrows(IOException.class, () -> set(deb, pinned, true).fetch(dir, mirror, progress));
        assertTrue(e.getMessage().contains("checksum mismatch"), e.getMessage());
        assertTrue(e.getMessage().contains("place these Debian packages in " + dir.toAbsolutePath().resolve("packages")), e.getMessage());
        assertTrue(e.getMessage().contains("fake.deb  (pool/main/f/fake/, 15 bytes, sha256 " + pinned + ")"), e.getMessage());

        // The right checksum but not a Debian package: dpkg-deb's refusal is reported, nothing is left half-unpacked.
        Path dir2 = tmp.resolve("photos2");
        e = assertThrows(IOException.class, () -> set(deb, sha256(deb), true).fetch(dir2, mirror, progress));
        assertTrue(e.getMessage().contains("dpkg-deb -x " + dir2.resolve("packages/fake.deb") + " failed"), e.getMessage());
        try (var s = Files.list(dir2.resolve("packages"))) {
            assertEquals(List.of(dir2.resolve("packages/fake.deb")), s.toList());
        }
    }

    @Test
    void theSetsAndTheirFactors() {
        assertEquals(List.of("sr-photos", "sr-eval"), PhotoSet.names());
        assertEquals(37, PhotoSet.byName("SR-Photos").photos().size());
        assertEquals(5, PhotoSet.EVAL.photos().size());
        assertEquals(3, PhotoSet.factor(2988, 5312));   // 5312 / 2 > 2048, 5312 / 3 = 1771
        assertEquals(2, PhotoSet.factor(1600, 2560));
        assertEquals(2, PhotoSet.factor(4096, 100));
        assertEquals(3, PhotoSet.factor(4097, 100));
        assertEquals(4, PhotoSet.factor(100, 9000));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PhotoSet.byName("div2k"));
        assertTrue(e.getMessage().contains("valid names: sr-photos, sr-eval"), e.getMessage());
        assertTrue(PhotoSet.TRAIN.manualSteps(Path.of("d")).contains(
                "plasma-workspace-wallpapers_5.27.5-2_all.deb  (pool/main/p/plasma-workspace-wallpapers/, 94047772 bytes, sha256 "
                        + "32cd18b71c8c938a18b3b351f217c02ac590e323caa3cf322fbb875ce8892f8b)"));
    }
}
