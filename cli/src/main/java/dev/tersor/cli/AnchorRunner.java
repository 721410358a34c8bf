package dev.tersor.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Runs the Python anchors of {@code bench/anchors/} as subprocesses of Debian's python:
 * {@code python3 SCRIPT ARGS}, whose last stdout line is one JSON report. A missing python or
 * script, a non-zero exit, a time-out or a report without the value all become a failed
 * {@link Measurement} naming the cause; nothing here throws for a broken anchor.
 * <pre>{@code
 * AnchorRunner r = new AnchorRunner(Path.of("/usr/bin/python3"), Path.of("bench/anchors"), 600);
 * AnchorFacts facts = r.prepare(cpuFlags, log);     // probe.py; sets OPENBLAS_CORETYPE if OpenBLAS says Prescott
 * Measurement m = r.measure(suiteCase, 2, 1, plan);
 * }</pre>
 */
final class AnchorRunner {

    /** A finished (or killed) subprocess: exit status, its stdout lines and the end of its stderr. */
    record Output(int exit, List<String> stdout, String stderrTail, boolean timedOut) {

        /** The last non-blank stdout line, or null. */
        String lastLine() {
            for (int i = stdout.size() - 1; i >= 0; i--) if (!stdout.get(i).isBlank()) return stdout.get(i).strip();
            return null;
        }

        /** One line on why the run failed, from its exit and the last stderr line. */
        String failure() {
            String last = stderrTail.isBlank() ? "" : ": " + stderrTail.strip().lines().reduce((a, b) -> b).orElse("");
            return timedOut ? "timed out" + last : "exit " + exit + last;
        }
    }

    private final Path python;
    private final Path dir;
    private final long timeoutSeconds;
    private final Map<String, String> env = new LinkedHashMap<>();

    AnchorRunner(Path python, Path dir, long timeoutSeconds) {
        if (timeoutSeconds < 1) throw new IllegalArgumentException("anchor time-out must be >= 1 s, got " + timeoutSeconds);
        this.python = python;
        this.dir = dir;
        this.timeoutSeconds = timeoutSeconds;
    }

    /** The environment variables added to every anchor's (a copy). */
    Map<String, String> environment() {
        return Map.copyOf(env);
    }

    /**
     * Probes what the anchors would run on; when numpy's OpenBLAS reports the SSE3 "Prescott" core
     * on a CPU with AVX2 or AVX-512 ({@link AnchorFacts#coreTypeFor}), sets OPENBLAS_CORETYPE for
     * every later anchor, probes again and says so on {@code log}. An OPENBLAS_CORETYPE already in
     * this process's environment is kept as it is.
     */
    AnchorFacts prepare(Set<String> cpuFlags, PrintWriter log) {
        if (!Files.isExecutable(python)) return AnchorFacts.none("no python at " + python);
        if (dir == null || !Files.isRegularFile(dir.resolve("probe.py"))) {
            return AnchorFacts.none("bench/anchors not found" + (dir == null ? "" : " at " + dir) + "; pass --anchors DIR");
        }
        Map<String, Object> probe;
        try {
            probe = probe();
        } catch (IllegalStateException e) {
            return AnchorFacts.none(e.getMessage());
        }
        String inherited = System.getenv("OPENBLAS_CORETYPE");
        AnchorFacts facts = new AnchorFacts(null, probe, inherited, inherited == null ? null : "set by the caller's environment");
        String choice = inherited == null ? AnchorFacts.coreTypeFor(facts.openblasCore(), cpuFlags) : null;
        if (choice == null) return facts;
        env.put("OPENBLAS_CORETYPE", choice);
        String was = facts.openblasCore();
        try {
            probe = probe();
        } catch (IllegalStateException e) {
            env.remove("OPENBLAS_CORETYPE");
            log.println("tersor bench suite: OpenBLAS reports core " + was + " but the probe failed with OPENBLAS_CORETYPE="
                    + choice + " (" + e.getMessage() + "); keeping OpenBLAS's choice");
            return facts;
        }
        AnchorFacts forced = new AnchorFacts(null, probe, choice, String.format(Locale.ROOT,
                "OpenBLAS detected this CPU as %s (SSE3 kernels); %s is in the CPU flags, so the anchors run with "
                        + "OPENBLAS_CORETYPE=%s (core now %s)", was, choice.equals("SkylakeX") ? "avx512f" : "avx2", choice,
                new AnchorFacts(null, probe, null, null).openblasCore()));
        log.println("tersor bench suite: " + forced.coreTypeReason());
        log.flush();
        return forced;
    }

    private Map<String, Object> probe() {
        Output o = run("probe.py", List.of());
        String line = o.lastLine();
        if (o.exit() != 0 || line == null) throw new IllegalStateException("probe.py failed (" + o.failure() + ")");
        try {
            if (Json.parse(line) instanceof Map<?, ?> m) {
                @SuppressWarnings("unchecked") Map<String, Object> report = (Map<String, Object>) m;
                return report;
            }
        } catch (IllegalArgumentException e) {
            // fall through
        }
        throw new IllegalStateException("probe.py printed no JSON object (last line: " + line + ")");
    }

    /** Runs {@code c}'s anchor once; a failed or unreadable run is a failed measurement, not an exception. */
    Measurement measure(SuiteCase c, int threads, int round, SuitePlan plan) {
        String impl = c.anchor().library();
        Output o = run(c.anchor().script(), c.anchorArgs(threads, plan));
        if (o.exit() != 0 || o.timedOut()) return Measurement.failed(c.id(), impl, threads, round, o.failure());
        String line = o.lastLine();
        Map<String, Object> report;
        try {
            Object parsed = line == null || !line.startsWith("{") ? null : Json.parse(line);
            if (!(parsed instanceof Map<?, ?>)) {
                return Measurement.failed(c.id(), impl, threads, round, "no JSON report on the last stdout line (got: " + line + ")");
            }
            @SuppressWarnings("unchecked") Map<String, Object> r = (Map<String, Object>) parsed;
            report = r;
        } catch (IllegalArgumentException e) {
            return Measurement.failed(c.id(), impl, threads, round, "unreadable JSON report: " + e.getMessage());
        }
        try {
            return Measurement.ok(c.id(), impl, threads, round, c.metric().millis(report), report);
        } catch (IllegalArgumentException e) {
            return Measurement.failed(c.id(), impl, threads, round, e.getMessage());
        }
    }

    /** Runs {@code python SCRIPT ARGS} in the anchors directory's environment. */
    private Output run(String script, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(python.toString());
        cmd.add(dir.resolve(script).toString());
        cmd.addAll(args);
        try {
            return exec(cmd, env, timeoutSeconds);
        } catch (IOException e) {
            return new Output(-1, List.of(), "cannot run " + cmd.get(0) + ": " + e.getMessage(), false);
        }
    }

    /** Runs {@code cmd} with {@code extraEnv} added, stdout and stderr to temporary files; kills it after the time-out. */
    static Output exec(List<String> cmd, Map<String, String> extraEnv, long timeoutSeconds) throws IOException {
        Path out = Files.createTempFile("tersor-anchor-", ".out");
        Path err = Files.createTempFile("tersor-anchor-", ".err");
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
            pb.environment().putAll(extraEnv);
            Process p = pb.start();
            boolean done;
            try {
                done = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for " + cmd.get(0), e);
            }
            if (!done) {
                p.destroyForcibly();
                try {
                    p.waitFor(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            List<String> lines = new String(Files.readAllBytes(out), StandardCharsets.UTF_8).lines().toList();
            String errText = new String(Files.readAllBytes(err), StandardCharsets.UTF_8);
            String tail = errText.length() > 2000 ? errText.substring(errText.length() - 2000) : errText;
            return new Output(done ? p.exitValue() : -1, lines, tail, !done);
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
