package dev.tersor.nn.train;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A one-line progress bar on stderr: steps, loss, accuracy, samples/s and ETA. On a terminal it
 * redraws in place at most ten times a second; otherwise it prints a line every quarter epoch.
 */
final class Progress {
    private final PrintStream out;
    private final boolean terminal;
    private final String label;
    private final int total;
    private final long start = System.nanoTime();
    private long lastDraw;
    private int lastQuarter = -1;

    Progress(PrintStream out, String label, int total) {
        this.out = out;
        this.terminal = System.console() != null;
        this.label = label;
        this.total = total;
    }

    void update(int done, double loss, double accuracy, long samples) {
        if (out == null) return;
        long now = System.nanoTime();
        int quarter = total == 0 ? 4 : done * 4 / total;
        boolean last = done == total;
        if (terminal ? (now - lastDraw < 100_000_000L && !last) : (quarter == lastQuarter && !last)) return;
        lastDraw = now;
        lastQuarter = quarter;
        double secs = (now - start) / 1e9;
        double eta = done == 0 ? 0 : secs / done * (total - done);
        int width = 24;
        int filled = total == 0 ? width : (int) ((long) width * done / total);
        String bar = "=".repeat(filled) + (filled < width ? ">" + " ".repeat(width - filled - 1) : "");
        String line = String.format(Locale.ROOT, "%s [%s] %d/%d loss %.4f acc %.2f%% %.0f samples/s ETA %s",
                label, bar, done, total, loss, 100 * accuracy, samples / Math.max(secs, 1e-9), clock(eta));
        if (terminal) out.print("\r" + line + (last ? "\n" : ""));
        else out.println(line);
        out.flush();
    }

    private static String clock(double seconds) {
        long s = Math.round(seconds);
        return String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
