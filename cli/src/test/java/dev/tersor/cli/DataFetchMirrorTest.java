package dev.tersor.cli;

import static dev.tersor.cli.MainTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.tersor.cli.MainTest.Run;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tersor data fetch --mirror URL} against a loopback mirror whose files are not the pinned ones. */
class DataFetchMirrorTest {

    @TempDir
    Path tmp;

    private HttpServer http;

    @AfterEach
    void stop() {
        if (http != null) http.stop(0);
    }

    /** Serves 100 zero bytes for every path under /m/ (with a Content-Length, honouring no Range). */
    private String mirror() throws IOException {
        http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.createContext("/m/", ex -> {
            try (ex) {
                ex.sendResponseHeaders(200, 100);
                ex.getResponseBody().write(new byte[100]);
            }
        });
        http.start();
        return "http://127.0.0.1:" + http.getAddress().getPort() + "/m/";
    }

    @Test
    void aMirrorFileOfTheWrongSizeIsAClearErrorOnEveryRunAndLeavesNothingToResume() throws IOException {
        String mirror = mirror();
        Path dir = tmp.resolve("mnist");
        for (int attempt = 0; attempt < 2; attempt++) {
            Run r = run("data", "fetch", "mnist", "--dir", dir.toString(), "--mirror", mirror);
            assertEquals(Main.EXIT_FAILURE, r.code(), r.err());
            assertTrue(r.err().contains("tersor data fetch: train-images-idx3-ubyte.gz: size mismatch for the download from "
                    + mirror + "train-images-idx3-ubyte.gz: expected 9912422 bytes, the server says it is 100;"), r.err());
            assertFalse(r.err().contains("run again to resume"), r.err());
            assertTrue(r.err().contains("place these files in " + dir.toAbsolutePath()), r.err());
            try (var files = Files.list(dir)) {
                assertEquals(List.of(), files.toList(), "no partial file to resume from");
            }
            assertTrue(r.out().isEmpty(), r.out());
        }
    }
}
