package dev.tersor.nn.data;

import dev.tersor.nn.data.DataFetcher.RemoteFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One HTTP GET of a {@link DataFetcher} download into its {@code NAME.part} file, from a byte
 * offset on ({@code Range: bytes=N-}), checking the size the server states against the pinned one.
 */
final class HttpTransfer {
    private static final int CONNECT_TIMEOUT_MS = 30_000;
    private static final int READ_TIMEOUT_MS = 60_000;
    private static final int MAX_REDIRECTS = 5;

    private HttpTransfer() {
    }

    /**
     * One HTTP transfer into {@code part}, from byte {@code have} (appending to it on a 206, rewriting it
     * on a 200); returns the final status code: a 416 (range refused) is returned, not thrown, when
     * {@code have > 0} and the server did not state a size that settles it.
     */
    static int run(URI url, RemoteFile file, Path part, long have, PrintStream progress) throws IOException {
        HttpURLConnection c = open(url, have);
        try {
            int status = c.getResponseCode();
            long declared = declaredSize(c, status, have);
            if (file.size() >= 0 && declared >= 0 && declared != file.size()) {
                throw sizeMismatch(url, file, part, "the server says it is " + declared);
            }
            if (status == 416 && have > 0) return status;
            boolean append;
            if (status == HttpURLConnection.HTTP_PARTIAL && have > 0) {
                String range = c.getHeaderField("Content-Range");
                if (range == null || !range.trim().startsWith("bytes " + have + "-")) {
                    throw new IOException(url + ": asked for bytes from " + have + " but the server sent range " + range);
                }
                append = true;
            } else if (status == HttpURLConnection.HTTP_OK) {
                append = false;
                have = 0;
            } else {
                throw new IOException(url + ": HTTP " + status + (c.getResponseMessage() == null ? "" : " " + c.getResponseMessage()));
            }
            long length = c.getContentLengthLong();
            long total = file.size() >= 0 ? file.size() : (length >= 0 ? have + length : -1);
            progress.println(file.name() + ": downloading from " + url + (append ? " (resuming at byte " + have + ")" : "")
                    + (total >= 0 ? ", " + total + " bytes" : ""));
            StandardOpenOption[] mode = append
                    ? new StandardOpenOption[] {StandardOpenOption.CREATE, StandardOpenOption.APPEND}
                    : new StandardOpenOption[] {StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE};
            boolean tooLong = false;
            try (InputStream in = c.getInputStream(); OutputStream out = Files.newOutputStream(part, mode)) {
                byte[] buf = new byte[1 << 16];
                long done = have;
                int shown = total > 0 ? (int) (100 * done / total) / 10 : 0;
                for (int n; (n = in.read(buf)) != -1; ) {
                    if (total >= 0 && done + n > total) {
                        tooLong = true;
                        break;
                    }
                    out.write(buf, 0, n);
                    done += n;
                    if (total > 0 && (int) (100 * done / total) / 10 > shown) {
                        shown = (int) (100 * done / total) / 10;
                        progress.printf("%s: %d%% (%d of %d bytes)%n", file.name(), shown * 10, done, total);
                    }
                }
            }
            if (tooLong) throw sizeMismatch(url, file, part, "the server sent more than " + total);
            if (file.size() < 0 && length >= 0 && Files.size(part) != have + length) {
                throw new IOException(file.name() + ": download from " + url + " stopped at " + Files.size(part) + " of "
                        + (have + length) + " bytes; " + part + " is kept, run again to resume");
            }
            return status;
        } finally {
            c.disconnect();
        }
    }

    /**
     * The size of the whole file as a response states it: the total of its {@code Content-Range}
     * ({@code bytes A-B/TOTAL}, or {@code bytes *}{@code /TOTAL} with a 416), else a 200's {@code Content-Length}
     * or a 206's {@code from + Content-Length}; -1 when it does not say.
     */
    private static long declaredSize(HttpURLConnection c, int status, long from) {
        if (status == HttpURLConnection.HTTP_OK) return c.getContentLengthLong();
        if (status != HttpURLConnection.HTTP_PARTIAL && status != 416) return -1;
        String range = c.getHeaderField("Content-Range");
        int slash = range == null ? -1 : range.lastIndexOf('/');
        if (slash >= 0) {
            try {
                return Long.parseLong(range.substring(slash + 1).trim());
            } catch (NumberFormatException e) {
                // "/*": the server does not say
            }
        }
        long length = c.getContentLengthLong();
        return status == HttpURLConnection.HTTP_PARTIAL && length >= 0 ? from + length : -1;
    }

    /**
     * Deletes the partial download (resuming it could only continue the wrong file) and describes
     * the mismatch: {@code got} says what the server has instead of {@code file.size()} bytes.
     */
    static IOException sizeMismatch(URI url, RemoteFile file, Path part, String got) throws IOException {
        Files.deleteIfExists(part);
        return new IOException(file.name() + ": size mismatch for the download from " + url + ": expected " + file.size()
                + " bytes, " + got + "; the server does not hold the expected file (check the mirror URL, or place the file"
                + " by hand), and " + part + " was deleted, so no run resumes from it");
    }

    /** Opens {@code url} (following up to five redirects), asking for bytes from {@code from} on. */
    private static HttpURLConnection open(URI url, long from) throws IOException {
        URI u = url;
        for (int hop = 0; ; hop++) {
            HttpURLConnection c = (HttpURLConnection) u.toURL().openConnection();
            c.setInstanceFollowRedirects(false);
            c.setConnectTimeout(CONNECT_TIMEOUT_MS);
            c.setReadTimeout(READ_TIMEOUT_MS);
            c.setRequestProperty("User-Agent", "tersor-data-fetcher");
            c.setRequestProperty("Accept-Encoding", "identity");
            if (from > 0) c.setRequestProperty("Range", "bytes=" + from + "-");
            int status;
            try {
                status = c.getResponseCode();
            } catch (IOException e) {
                c.disconnect();
                throw new IOException(u + ": " + e, e);
            }
            if (status < 300 || status >= 400) return c;
            String location = c.getHeaderField("Location");
            c.disconnect();
            if (location == null || hop >= MAX_REDIRECTS) {
                throw new IOException(u + ": HTTP " + status + (location == null ? " without a Location" : ", too many redirects"));
            }
            u = u.resolve(location);
        }
    }
}
