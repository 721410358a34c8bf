package dev.tersor.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import picocli.CommandLine;

/**
 * Runs a suite case's {@code tersor} command in this JVM ({@link Main#commandLine()}, output
 * captured) and reads the value from the JSON line it ends with. Running in-process keeps the
 * JIT's work across rounds, as a long-lived application would; each command restores the thread
 * count and backend it changed.
 */
final class TersorRunner {

    private TersorRunner() {
    }

    static Measurement measure(SuiteCase c, int threads, int round, SuitePlan plan) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code;
        try {
            code = cl.execute(c.tersorCommand(threads, plan).toArray(String[]::new));
        } catch (RuntimeException | OutOfMemoryError e) {
            return Measurement.failed(c.id(), "tersor", threads, round, Main.describe(e));
        }
        if (code != 0) return Measurement.failed(c.id(), "tersor", threads, round, "exit " + code + ": " + lastLine(err.toString()));
        String line = lastLine(out.toString());
        try {
            if (!(Json.parse(line) instanceof Map<?, ?> m)) {
                return Measurement.failed(c.id(), "tersor", threads, round, "no JSON report (last line: " + line + ")");
            }
            @SuppressWarnings("unchecked") Map<String, Object> report = (Map<String, Object>) m;
            return Measurement.ok(c.id(), "tersor", threads, round, c.metric().millis(report), report);
        } catch (IllegalArgumentException e) {
            return Measurement.failed(c.id(), "tersor", threads, round, e.getMessage());
        }
    }

    private static String lastLine(String text) {
        String last = "";
        for (String l : text.split("\\R")) if (!l.isBlank()) last = l.strip();
        return last;
    }
}
