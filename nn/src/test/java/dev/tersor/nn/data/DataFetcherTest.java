package dev.tersor.nn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.tersor.nn.data.DataFetcher.RemoteFile;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataFetcherTest {
    private static final int MAX_REQUESTS = 20;

    @TempDir
    Path dir;

    private final ByteArrayOutputStream log = new ByteArrayOutputStream();
    private final PrintStream progress = new PrintStream(log, true, StandardCharsets.UTF_8);

    /** A loopback HTTP server for a few files, honouring "Range: bytes=N-", counting requests. */
    private static final class Server implements AutoCloseable {
        final HttpServer http;
        final Map<String, byte[]> files = new ConcurrentHashMap<>();
        final List<String> requests = new CopyOnWriteArrayList<>();   // "path range"
        final AtomicInteger count = new AtomicInteger();
        volatile int cutAfter = -1;        // send only this many body bytes of the next response, then drop it
        volatile boolean ignoreRange;
        volatile boolean hideSize;         // chunked bodies, "/*" totals: the client never learns the file's size

        Server() throws IOException {
            http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            http.createContext("/", this::handle);
            http.start();
        }

        URI base() {
            return URI.create("http://127.0.0.1:" + http.getAddress().getPort() + "/files");
        }

        private void handle(HttpExchange ex) throws IOException {
            try (ex) {
                String path = ex.getRequestURI().getPath();
                String range = ex.getRequestHeaders().getFirst("Range");
                requests.add(path + " " + range);
                if (count.incrementAndGet() > MAX_REQUESTS) {
                    ex.sendResponseHeaders(503, -1);
                    return;
                }
                byte[] data = files.get(path.substring(path.lastIndexOf('/') + 1));
                if (data == null || !path.startsWith("/files/")) {
                    ex.sendResponseHeaders(404, -1);
                    return;
                }
                int from = 0;
                if (range != null && !ignoreRange) {
                    from = Integer.parseInt(range.replace("bytes=", "").replace("-", ""));
                    String total = hideSize ? "*" : Integer.toString(data.length);
                    if (from >= data.length) {
                        if (!hideSize) ex.getResponseHeaders().add("Content-Range", "bytes */" + total);
                        ex.sendResponseHeaders(416, -1);
                        return;
                    }
                    ex.getResponseHeaders().add("Content-Range", "bytes " + from + "-" + (data.length - 1) + "/" + total);
                }
                int length = data.length - from;
                ex.sendResponseHeaders(from > 0 ? 206 : 200, hideSize ? 0 : length);   // 0: chunked, no Content-Length
                OutputStream out = ex.getResponseBody();
                int cut = cutAfter;
                if (cut >= 0) {
                    cutAfter = -1;
                    out.write(data, from, Math.min(cut, length));
                    out.flush();
                    throw new IOException("test server drops the connection mid-body");
                }
                out.write(data, from, length);
            }
        }

        @Override
        public void close() {
            http.stop(0);
        }
    }

    private Server server;

    @AfterEach
    void stop() {
        if (server != null) server.close();
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static String sha256(byte[] b) throws IOException {
        return DataFetcher.sha256(new ByteArrayInputStream(b));
    }

    private DataFetcher fetcher() {
        return new DataFetcher(server.base(), progress);
    }

    @Test
    void downloadsAndVerifies() throws IOException {
        server = new Server();
        byte[] data = random(300_000, 1);
        server.files.put("data.bin", data);
        RemoteFile f = new RemoteFile("data.bin", data.length, sha256(data));
        Path got = fetcher().download(server.base().resolve("files/data.bin"), f, dir);
        assertEquals(dir.resolve("data.bin"), got);
        assertArrayEquals(data, Files.readAllBytes(got));
        assertFalse(Files.exists(dir.resolve("data.bin.part")));
        assertEquals(List.of("/files/data.bin null"), server.requests);
        String out = log.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("data.bin: 100% (300000 of 300000 bytes)") && out.contains("data.bin: sha256 verified"), out);
        fetcher().download(server.base().resolve("files/data.bin"), f, dir);   // present: verified, not downloaded
        assertEquals(1, server.requests.size());
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("present, sha256 verified"));
    }

    @Test
    void resumesFromAPartFile() throws IOException {
        server = new Server();
        byte[] data = random(100_000, 2);
        server.files.put("data.bin", data);
        Files.write(dir.resolve("data.bin.part"), Arrays.copyOf(data, 1000));
        RemoteFile f = new RemoteFile("data.bin", data.length, sha256(data));
        fetcher().download(server.base().resolve("files/data.bin"), f, dir);
        assertEquals(List.of("/files/data.bin bytes=1000-"), server.requests);
        assertArrayEquals(data, Files.readAllBytes(dir.resolve("data.bin")));
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("resuming at byte 1000"));
    }

    @Test
    void resumesAfterADroppedConnection() throws IOException {
        server = new Server();
        byte[] data = random(200_000, 3);
        server.files.put("data.bin", data);
        server.cutAfter = 70_000;
        RemoteFile f = new RemoteFile("data.bin", data.length, sha256(data));
        URI url = server.base().resolve("files/data.bin");
        assertThrows(IOException.class, () -> fetcher().download(url, f, dir));
        assertFalse(Files.exists(dir.resolve("data.bin")));
        long kept = Files.size(dir.resolve("data.bin.part"));
        assertTrue(kept > 0 && kept <= 70_000, "kept " + kept);
        fetcher().download(url, f, dir);
        assertEquals("/files/data.bin bytes=" + kept + "-", server.requests.get(1));
        assertArrayEquals(data, Files.readAllBytes(dir.resolve("data.bin")));
    }

    @Test
    void startsOverWhenTheServerIgnoresRange() throws IOException {
        server = new Server();
        server.ignoreRange = true;
        byte[] data = random(5000, 4);
        server.files.put("data.bin", data);
        Files.write(dir.resolve("data.bin.part"), new byte[] {9, 9, 9});   // not even the right prefix
        fetcher().download(server.base().resolve("files/data.bin"), new RemoteFile("data.bin", data.length, sha256(data)), dir);
        assertArrayEquals(data, Files.readAllBytes(dir.resolve("data.bin")));
    }

    @Test
    void checksumMismatchLeavesNoFile() throws IOException {
        server = new Server();
        byte[] data = random(4000, 5);
        server.files.put("data.bin", data);
        RemoteFile wrong = new RemoteFile("data.bin", data.length, sha256(new byte[] {1}));
        IOException e = assertThrows(IOException.class,
                () -> fetcher().download(server.base().resolve("files/data.bin"), wrong, dir));
        assertTrue(e.getMessage().contains("data.bin: checksum mismatch") && e.getMessage().contains("sha256 " + sha256(data)), e.getMessage());
        assertFalse(Files.exists(dir.resolve("data.bin")));
        assertFalse(Files.exists(dir.resolve("data.bin.part")));
    }

    @Test
    void aLongerFileOnTheServerIsASizeMismatchAndNothingIsKept() throws IOException {
        server = new Server();
        byte[] expected = random(5000, 7);
        server.files.put("data.bin", Arrays.copyOf(expected, 5100));   // the expected bytes, then 100 more
        RemoteFile f = new RemoteFile("data.bin", expected.length, sha256(expected));
        URI url = server.base().resolve("files/data.bin");
        String mismatch = "data.bin: size mismatch for the download from " + url + ": expected 5000 bytes, ";
        for (int run = 0; run < 2; run++) {   // the same error every time, never "run again to resume"
            String m = assertThrows(IOException.class, () -> fetcher().download(url, f, dir)).getMessage();
            assertTrue(m.contains(mismatch + "the server says it is 5100;"), m);
            assertTrue(m.contains(dir.resolve("data.bin.part") + " was deleted, so no run resumes from it"), m);
            assertNothingIn(dir);
        }
        // A partial file from an earlier (good) mirror: the range answer's total is checked before appending.
        Files.write(dir.resolve("data.bin.part"), Arrays.copyOf(expected, 1000));
        String m = assertThrows(IOException.class, () -> fetcher().download(url, f, dir)).getMessage();
        assertTrue(m.contains(mismatch + "the server says it is 5100;"), m);
        assertEquals("/files/data.bin bytes=1000-", server.requests.get(server.requests.size() - 1));
        assertNothingIn(dir);
        // A server that does not say its size: sending more than pinned is the same error.
        server.hideSize = true;
        m = assertThrows(IOException.class, () -> fetcher().download(url, f, dir)).getMessage();
        assertTrue(m.contains(mismatch + "the server sent more than 5000;"), m);
        assertNothingIn(dir);
    }

    @Test
    void aShorterFileOnTheServerIsASizeMismatch() throws IOException {
        server = new Server();
        byte[] expected = random(5000, 8);
        server.files.put("data.bin", Arrays.copyOf(expected, 4000));
        RemoteFile f = new RemoteFile("data.bin", expected.length, sha256(expected));
        URI url = server.base().resolve("files/data.bin");
        String mismatch = "data.bin: size mismatch for the download from " + url + ": expected 5000 bytes, ";
        String m = assertThrows(IOException.class, () -> fetcher().download(url, f, dir)).getMessage();
        assertTrue(m.contains(mismatch + "the server says it is 4000;"), m);
        assertNothingIn(dir);
        // The whole short file left as a part by an older run: the 416 answer to "bytes=4000-" names the size.
        Files.write(dir.resolve("data.bin.part"), Arrays.copyOf(expected, 4000));
        m = assertThrows(IOException.class, () -> fetcher().download(url, f, dir)).getMessage();
        assertTrue(m.contains(mismatch + "the server says it is 4000;"), m);
        assertEquals("/files/data.bin bytes=4000-", server.requests.get(server.requests.size() - 1));
        assertNothingIn(dir);
    }

    @Test
    void aShorterFileThatDoesNotSayItsSizeFailsClearlyOnTheNextRun() throws IOException {
        server = new Server();
        server.hideSize = true;
        byte[] expected = random(5000, 9);
        server.files.put("data.bin", Arrays.copyOf(expected, 4000));
        RemoteFile f = new RemoteFile("data.bin", expected.length, sha256(expected));
        URI url = server.base().resolve("files/data.bin");
        // First run: indistinguishable from a dropped connection, so the part is kept for a resume.
        String m = assertThrows(IOException.class, () -> fetcher().download(url, f, dir)).getMessage();
        assertTrue(m.contains("stopped at 4000 of 5000 bytes") && m.contains("run again to resume"), m);
        assertEquals(4000, Files.size(dir.resolve("data.bin.part")));
        // Second run: the rest is refused (416) and the whole file, fetched again, ends at the same byte.
        m = assertThrows(IOException.class, () -> fetcher().download(url, f, dir)).getMessage();
        assertTrue(m.contains("data.bin: size mismatch for the download from " + url + ": expected 5000 bytes, got 4000"), m);
        assertFalse(m.contains("run again to resume"), m);
        assertEquals(List.of("/files/data.bin null", "/files/data.bin bytes=4000-", "/files/data.bin null"), server.requests);
        assertNothingIn(dir);
    }

    @Test
    void aTruncatedDownloadFromAServerThatDoesNotSayItsSizeResumes() throws IOException {
        server = new Server();
        server.hideSize = true;
        byte[] data = random(200_000, 10);
        server.files.put("data.bin", data);
        server.cutAfter = 70_000;
        RemoteFile f = new RemoteFile("data.bin", data.length, sha256(data));
        URI url = server.base().resolve("files/data.bin");
        assertThrows(IOException.class, () -> fetcher().download(url, f, dir));
        long kept = Files.size(dir.resolve("data.bin.part"));
        assertTrue(kept > 0 && kept <= 70_000, "kept " + kept);
        fetcher().download(url, f, dir);
        assertEquals(List.of("/files/data.bin null", "/files/data.bin bytes=" + kept + "-"), server.requests);
        assertArrayEquals(data, Files.readAllBytes(dir.resolve("data.bin")));
        assertFalse(Files.exists(dir.resolve("data.bin.part")));
    }

    @Test
    void aChecksumMismatchAfterAResumeDeletesThePartAndTheNextRunDownloadsItWhole() throws IOException {
        server = new Server();
        byte[] data = random(5000, 11);
        server.files.put("data.bin", data);
        byte[] stale = random(1000, 12);   // a part of the right length class, but not this file's first bytes
        Files.write(dir.resolve("data.bin.part"), stale);
        RemoteFile f = new RemoteFile("data.bin", data.length, sha256(data));
        URI url = server.base().resolve("files/data.bin");
        byte[] joined = Arrays.copyOf(stale, data.length);
        System.arraycopy(data, 1000, joined, 1000, data.length - 1000);
        String m = assertThrows(IOException.class, () -> fetcher().download(url, f, dir)).getMessage();
        assertTrue(m.contains("data.bin: checksum mismatch for the download from " + url + ": sha256 " + sha256(joined)
                + ", expected " + sha256(data)), m);
        assertTrue(m.contains("(" + dir.resolve("data.bin.part") + ") was deleted (it continued a partial download from an"
                + " earlier run: run again to download the whole file afresh)"), m);
        assertNothingIn(dir);
        fetcher().download(url, f, dir);
        assertEquals(List.of("/files/data.bin bytes=1000-", "/files/data.bin null"), server.requests);
        assertArrayEquals(data, Files.readAllBytes(dir.resolve("data.bin")));
    }

    private static void assertNothingIn(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            assertEquals(List.of(), files.map(p -> p.getFileName().toString()).toList(), "nothing left in " + dir);
        }
    }

    @Test
    void unknownChecksumIsPrintedNotVerified() throws IOException {
        server = new Server();
        byte[] data = random(3000, 6);
        server.files.put("data.bin", data);
        fetcher().download(server.base().resolve("files/data.bin"), new RemoteFile("data.bin", -1, null), dir);
        assertArrayEquals(data, Files.readAllBytes(dir.resolve("data.bin")));
        String out = log.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("data.bin: sha256 " + sha256(data) + " (no pinned checksum: not verified)"), out);
    }

    @Test
    void fetchChecksTheDataSetTable() throws IOException {
        server = new Server();
        for (RemoteFile f : DataFetcher.files("mnist")) server.files.put(f.name(), new byte[(int) f.size()]);
        IOException e = assertThrows(IOException.class, () -> fetcher().fetch("mnist", dir));
        assertTrue(e.getMessage().contains("train-images-idx3-ubyte.gz: checksum mismatch"), e.getMessage());
        try (var files = Files.list(dir)) {
            assertEquals(0, files.count(), "nothing left behind");
        }
        Files.write(dir.resolve("train-images-idx3-ubyte"), new byte[] {1, 2});   // uncompressed copy: content checked
        e = assertThrows(IOException.class, () -> fetcher().fetch("mnist", dir));
        assertTrue(e.getMessage().contains("train-images-idx3-ubyte: sha256 is ") && e.getMessage().contains(
                "expected ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"), e.getMessage());
        assertEquals(1, server.requests.size());
    }

    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();   // closed on return: connecting there is refused
        }
    }

    @Test
    void withoutNetworkTheErrorSaysWhatToPlaceWhere() throws IOException {
        URI nowhere = URI.create("http://127.0.0.1:" + closedPort() + "/mnist/");
        IOException e = assertThrows(IOException.class, () -> new DataFetcher(nowhere, progress).fetch("mnist", dir.resolve("m")));
        String m = e.getMessage();
        assertTrue(m.contains("place these files in " + dir.resolve("m").toAbsolutePath()), m);
        for (String name : List.of("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
                "t10k-labels-idx1-ubyte.gz")) {
            assertTrue(m.contains("\n  " + name + "  ("), m);
        }
        assertTrue(m.contains("Connection refused") || m.contains("ConnectException"), m);
        String old = System.getProperty(DataFetcher.BASE_URL_PROPERTY);
        System.setProperty(DataFetcher.BASE_URL_PROPERTY, nowhere.toString());
        try {
            m = assertThrows(IOException.class, () -> new DataFetcher().fetch("cifar10", dir)).getMessage();
        } finally {
            if (old == null) System.clearProperty(DataFetcher.BASE_URL_PROPERTY);
            else System.setProperty(DataFetcher.BASE_URL_PROPERTY, old);
        }
        assertTrue(m.contains(nowhere + "cifar-10-binary.tar.gz") && m.contains("\n  cifar-10-binary.tar.gz  (170052171 bytes, sha256 c4a38c50"), m);
        assertTrue(m.contains("cifar-10-batches-bin/ holding data_batch_1.bin .. data_batch_5.bin and test_batch.bin"), m);
    }

    @Test
    void knowsItsDataSets() {
        assertEquals(List.of("mnist", "fashion-mnist", "cifar10"), DataFetcher.names());
        for (String ds : List.of("mnist", "fashion-mnist")) {
            List<RemoteFile> files = DataFetcher.files(ds);
            assertEquals(List.of(Mnist.fileNames(true).get(0) + ".gz", Mnist.fileNames(true).get(1) + ".gz",
                    Mnist.fileNames(false).get(0) + ".gz", Mnist.fileNames(false).get(1) + ".gz"),
                    files.stream().map(RemoteFile::name).toList());
            files.forEach(f -> assertTrue(f.sha256() != null && f.size() > 0));
        }
        assertEquals(URI.create("https://ossci-datasets.s3.amazonaws.com/mnist/"), DataFetcher.canonicalBaseUrl("mnist"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DataFetcher.files("imagenet"));
        assertTrue(e.getMessage().contains("valid names: mnist, fashion-mnist, cifar10"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new RemoteFile("../x", 1, null));
        assertThrows(IllegalArgumentException.class, () -> new RemoteFile("x", 1, "ABC"));
    }
}
