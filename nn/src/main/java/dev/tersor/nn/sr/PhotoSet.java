package dev.tersor.nn.sr;

import dev.tersor.nn.data.DataFetcher;
import dev.tersor.nn.data.DataFetcher.RemoteFile;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Photographs for super-resolution that Debian ships, fetched as {@code .deb} packages from the
 * Debian archive (SHA-256 pinned, resumable, through {@link DataFetcher#download}), unpacked with
 * {@code dpkg-deb -x} and written as PNG files directly into the target folder:
 * <ul>
 *   <li>{@link #TRAIN} ({@code sr-photos}): 37 photos from {@code lomiri-wallpapers-16.04} (14),
 *       {@code mate-backgrounds} (the 12 of {@code nature/}) and {@code plasma-workspace-wallpapers}
 *       (the 11 photographs among its wallpapers, 2560x1600). They are JPEG-compressed, so each is
 *       downscaled with {@link Bicubic} (antialiased) by the smallest factor in 2..4 that brings its
 *       long side to 2048 pixels or less (4 when none does), which averages the 8x8 JPEG blocks away;
 *       the result is a clean HR image of 640 to 1919 pixels on its long side.</li>
 *   <li>{@link #EVAL} ({@code sr-eval}): 5 lossless PNG photos kept as they are: scikit-image's
 *       {@code astronaut}, {@code chelsea}, {@code coffee} and {@code motorcycle_left}
 *       ({@code python3-skimage}) and OpenCV's {@code dnn_superres/butterfly.png} ({@code opencv-doc}).</li>
 * </ul>
 * The packages are kept in {@code DIR/packages/} (delete them once the PNGs are written); photos
 * already in {@code DIR} are not made again. Where {@code dpkg-deb} is missing, unpack a package
 * by hand into {@code DIR/packages/NAME.d/} ({@code ar x NAME.deb data.tar.xz; tar -xJf data.tar.xz
 * -C NAME.d}) and run again.
 *
 * @param name the name {@code tersor data fetch} knows
 * @param packages the packages, from {@code https://deb.debian.org/debian/pool/main/}
 * @param photos what to take from them
 * @param downscale whether photos are downscaled (JPEG sources) or kept as they are (lossless PNG)
 */
public record PhotoSet(String name, List<Deb> packages, List<Photo> photos, boolean downscale) {
    /** Debian's archive, whose {@code pool/main/} holds the packages. */
    public static final URI DEBIAN = URI.create("https://deb.debian.org/debian/");

    /** Long side, in pixels, a training photo is downscaled to at most (with factors 2..4). */
    public static final int MAX_SIDE = 2048;

    public PhotoSet {
        Objects.requireNonNull(name, "name");
        packages = List.copyOf(packages);
        photos = List.copyOf(photos);
        for (Photo p : photos) {
            if (packages.stream().noneMatch(k -> k.file().name().equals(p.pkg()))) {
                throw new IllegalArgumentException("photo " + p.name() + " comes from " + p.pkg() + ", which the set does not list");
            }
        }
    }

    /**
     * A Debian package.
     *
     * @param file its file name, size and SHA-256
     * @param pool its folder under the archive's {@code pool/main/}, such as {@code m/mate-backgrounds}
     */
    public record Deb(RemoteFile file, String pool) {}

    /**
     * A photo inside a package.
     *
     * @param pkg the package's file name
     * @param member its path inside the package, such as {@code usr/share/backgrounds/x.jpg}
     * @param name the PNG it becomes, a plain file name
     */
    public record Photo(String pkg, String member, String name) {
        public Photo {
            if (name.contains("/") || !name.endsWith(".png")) throw new IllegalArgumentException("photo name must be a plain .png name, got " + name);
        }
    }

    private static final String LOMIRI = "lomiri-wallpapers-16.04_20.04.0-2_all.deb";
    private static final String MATE = "mate-backgrounds_1.26.0-1_all.deb";
    private static final String PLASMA = "plasma-workspace-wallpapers_5.27.5-2_all.deb";
    private static final String SKIMAGE = "python3-skimage_0.19.3-8_all.deb";
    private static final String OPENCV = "opencv-doc_4.6.0+dfsg-12_all.deb";

    /*
     * Sizes and SHA-256s of the Debian 12 (bookworm) packages, as apt-get download fetched them
     * here (apt verifies them against the signed Release file).
     */
    private static final Deb[] PACKAGES = {
        new Deb(new RemoteFile(LOMIRI, 15_783_184, "a99ff6a3bfe451e4cc0682ecb3cc82e71740626d59e4845ae34a0a0e45421eab"), "l/lomiri-wallpapers"),
        new Deb(new RemoteFile(MATE, 46_638_500, "7bf4c2209f34b4f61ba6d24c8b58c28b361e82e4b943aae6d42c030169af9e04"), "m/mate-backgrounds"),
        new Deb(new RemoteFile(PLASMA, 94_047_772, "32cd18b71c8c938a18b3b351f217c02ac590e323caa3cf322fbb875ce8892f8b"), "p/plasma-workspace-wallpapers"),
        new Deb(new RemoteFile(SKIMAGE, 20_713_608, "728d88c3e3440f1f3712de0805dc834d29248ff07e1eec8c0f3da07606f752f9"), "s/skimage"),
        new Deb(new RemoteFile(OPENCV, 95_715_012, "4b12681df35878207ac7097dc66184b2ae552e4bf4ddd2af04a0f03ed0b8682a"), "o/opencv"),
    };

    /** {@code sr-photos}: 37 photographs, downscaled into clean HR training images. */
    public static final PhotoSet TRAIN = new PhotoSet("sr-photos", List.of(PACKAGES[0], PACKAGES[1], PACKAGES[2]), trainPhotos(), true);

    /** {@code sr-eval}: 5 lossless photographs for evaluation, as they are. */
    public static final PhotoSet EVAL = new PhotoSet("sr-eval", List.of(PACKAGES[3], PACKAGES[4]), List.of(
            new Photo(SKIMAGE, "usr/lib/python3/dist-packages/skimage/data/astronaut.png", "astronaut.png"),
            new Photo(SKIMAGE, "usr/lib/python3/dist-packages/skimage/data/chelsea.png", "chelsea.png"),
            new Photo(SKIMAGE, "usr/lib/python3/dist-packages/skimage/data/coffee.png", "coffee.png"),
            new Photo(SKIMAGE, "usr/lib/python3/dist-packages/skimage/data/motorcycle_left.png", "motorcycle.png"),
            new Photo(OPENCV, "usr/share/doc/opencv-doc/examples/dnn_superres/butterfly.png", "butterfly.png")), false);

    private static List<Photo> trainPhotos() {
        List<Photo> out = new ArrayList<>();
        for (String f : new String[] {"Bridge_by_Sander_Klootwijk", "Dragonfly_by_Bolly", "Picture_0B_by_freespace",
                "Picture_1A_by_freespace", "Wine_by_Jakkub_Mede", "aitzgorri_by_Aitzol_Berasategi", "analogpattern_by_Peter_Nerlich",
                "free_by_Peter_Nerlich", "friends_by_Aitzol_Berasategi", "greentock_by_Peter_Nerlich", "life_by_Aitzol_Berasategi",
                "picosdeeuropa_by_Aitzol_Berasategi", "seeding_by_Clements_Engelhardt", "sunset_by_Aitzol_Berasategi"}) {
            out.add(new Photo(LOMIRI, "usr/share/backgrounds/" + f + ".jpg", "lomiri-" + f + ".png"));
        }
        for (String f : new String[] {"Aqua", "Blinds", "Dune", "FreshFlower", "Garden", "GreenMeadow", "LadyBird", "RainDrops",
                "Storm", "TwoWings", "Wood", "YellowFlower"}) {
            out.add(new Photo(MATE, "usr/share/backgrounds/mate/nature/" + f + ".jpg", "mate-" + f + ".png"));
        }
        for (String f : new String[] {"BytheWater", "ColdRipple", "ColorfulCups", "DarkestHour", "EveningGlow", "FallenLeaf", "Grey",
                "Kite", "OneStandsOut", "Path", "summer_1am"}) {
            out.add(new Photo(PLASMA, "usr/share/wallpapers/" + f + "/contents/images/2560x1600.jpg", "plasma-" + f + ".png"));
        }
        return out;
    }

    private static final Map<String, PhotoSet> SETS = new LinkedHashMap<>();

    static {
        SETS.put(TRAIN.name(), TRAIN);
        SETS.put(EVAL.name(), EVAL);
    }

    /** {@code sr-photos}, {@code sr-eval}. */
    public static List<String> names() {
        return List.copyOf(SETS.keySet());
    }

    /** The set called {@code name} (case-insensitive). */
    public static PhotoSet byName(String name) {
        PhotoSet s = name == null ? null : SETS.get(name.trim().toLowerCase(Locale.ROOT));
        if (s == null) throw new IllegalArgumentException("unknown photo set '" + name + "'; valid names: " + String.join(", ", SETS.keySet()));
        return s;
    }

    /** The factor a training photo of {@code height x width} is downscaled by: the smallest in 2..4 with long side / k <= {@link #MAX_SIDE}. */
    public static int factor(int height, int width) {
        int side = Math.max(height, width);
        for (int k = 2; k < 4; k++) if (side <= (long) MAX_SIDE * k) return k;
        return 4;
    }

    /**
     * Makes every photo of this set a PNG in {@code dir}: downloads the packages into
     * {@code dir/packages/} (from {@code mirror/NAME} when {@code mirror} is not null, else from
     * Debian's pool), unpacks them, converts the photos; returns {@code dir}.
     *
     * @throws IOException when a step fails; the message then says what to place where by hand
     */
    public Path fetch(Path dir, URI mirror, PrintStream progress) throws IOException {
        Files.createDirectories(dir);
        Path packagesDir = dir.resolve("packages");
        DataFetcher fetcher = new DataFetcher(null, progress);
        int made = 0;
        for (Deb pkg : packages) {
            List<Photo> wanted = photos.stream().filter(p -> p.pkg().equals(pkg.file().name()) && !Files.isRegularFile(dir.resolve(p.name()))).toList();
            if (wanted.isEmpty()) continue;
            Path unpacked = packagesDir.resolve(pkg.file().name() + ".d");
            boolean ours = !Files.isDirectory(unpacked);
            if (ours) {
                URI url = mirror != null ? URI.create(withSlash(mirror) + pkg.file().name()) : DEBIAN.resolve("pool/main/" + pkg.pool() + "/" + pkg.file().name());
                Path deb;
                try {
                    deb = fetcher.download(url, pkg.file(), packagesDir);
                } catch (IOException e) {
                    throw new IOException(e.getMessage() + "\n" + manualSteps(dir), e);
                }
                unpack(deb, unpacked);
            }
            for (Photo p : wanted) {
                Path src = unpacked.resolve(p.member());
                Image img = Image.read(src);
                Image out = img;
                if (downscale) out = Bicubic.downscale(img, factor(img.height(), img.width()));
                out.writePng(dir.resolve(p.name()));
                progress.println(dir.resolve(p.name()) + ": " + out.size() + (downscale ? " (" + img.size() + " downscaled)" : ""));
                made++;
            }
            if (ours) deleteTree(unpacked);
        }
        progress.println(name + ": " + photos.size() + " photos in " + dir + (made < photos.size() ? " (" + (photos.size() - made) + " were already there)" : ""));
        return dir;
    }

    private static String withSlash(URI u) {
        String s = u.toString();
        return s.endsWith("/") ? s : s + "/";
    }

    /** {@code dpkg-deb -x deb into}, through a temporary folder renamed into place. */
    private void unpack(Path deb, Path into) throws IOException {
        Path tmp = into.resolveSibling(into.getFileName() + ".tmp");
        deleteTree(tmp);
        Files.createDirectories(tmp);
        Process proc;
        try {
            proc = new ProcessBuilder("dpkg-deb", "-x", deb.toString(), tmp.toString()).redirectErrorStream(true).start();
        } catch (IOException e) {
            deleteTree(tmp);
            throw new IOException("cannot run dpkg-deb (" + e.getMessage() + ") to unpack " + deb + ". Unpack it by hand into "
                    + into + " (ar x " + deb.getFileName() + " data.tar.xz && mkdir " + into.getFileName() + " && tar -xJf data.tar.xz -C "
                    + into.getFileName() + ", in " + into.getParent() + ") and run again", e);
        }
        String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        try {
            if (!proc.waitFor(10, TimeUnit.MINUTES)) proc.destroyForcibly();
        } catch (InterruptedException e) {
            proc.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while unpacking " + deb, e);
        }
        if (proc.exitValue() != 0) {
            deleteTree(tmp);
            throw new IOException("dpkg-deb -x " + deb + " failed (exit " + proc.exitValue() + "): " + out);
        }
        Files.move(tmp, into);
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(q);
        }
    }

    /** How to get the packages without this download, for error messages. */
    String manualSteps(Path dir) {
        StringBuilder b = new StringBuilder("To make " + name + " without this download, place these Debian packages in "
                + dir.toAbsolutePath().resolve("packages") + " (from " + DEBIAN + "pool/main/..., any Debian mirror, or `apt-get download"
                + " PACKAGE=VERSION` on Debian 12, renaming what it saves to these names):");
        for (Deb p : packages) {
            b.append("\n  ").append(p.file().name()).append("  (pool/main/").append(p.pool()).append("/, ").append(p.file().size())
                    .append(" bytes, sha256 ").append(p.file().sha256()).append(')');
        }
        b.append("\nor put any PNG/JPEG photos in ").append(dir.toAbsolutePath()).append(" yourself: every folder of images works.");
        return b.toString();
    }
}
