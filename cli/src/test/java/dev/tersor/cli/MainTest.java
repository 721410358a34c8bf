package dev.tersor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class MainTest {

    /** Exit status and captured streams of one run. */
    record Run(int code, String out, String err) {
        String lastLine() {
            String[] lines = out.strip().split("\\R");
            return lines[lines.length - 1];
        }
    }

    static Run run(String... args) {
        return run(Main.commandLine(), args);
    }

    static Run run(CommandLine cl, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    /** Short warm-up and timed phase: the tests check the machinery, not the speed. */
    static final String[] FAST = {"--warmup-seconds", "0.2", "--time-seconds", "0.05"};

    static String[] concat(String[] a, String... b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> json(String line) {
        Object v = Json.parse(line);
        assertInstanceOf(Map.class, v, "last line is not a JSON object: " + line);
        return (Map<String, Object>) v;
    }

    static double number(Map<String, Object> m, String key) {
        Object v = m.get(key);
        assertInstanceOf(Double.class, v, key + " is not a number in " + m);
        return (Double) v;
    }

    @Test
    void benchGemmJsonEndsWithOneParsableLine() {
        Run r = run(concat(new String[] {"bench", "gemm", "--size", "64", "--threads", "1", "--json", "--min-reps", "3"}, FAST));
        assertEquals(0, r.code(), r.err());
        Map<String, Object> m = json(r.lastLine());
        assertTrue(number(m, "median_ms") > 0, r.lastLine());
        assertTrue(number(m, "gflops") > 0, r.lastLine());
        assertEquals(64.0, number(m, "size"));
        assertEquals(1.0, number(m, "threads"));
        assertTrue(number(m, "reps") >= 3);
        assertInstanceOf(String.class, m.get("backend"));
        assertInstanceOf(String.class, m.get("java_version"));
        assertTrue(r.err().contains("warm-up"), "progress goes to stderr: " + r.err());
    }

    @Test
    void benchGemmHumanReadable() {
        Run r = run(concat(new String[] {"bench", "gemm", "--size", "17", "--min-reps", "2"}, FAST));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("median"), r.out());
        assertTrue(r.out().contains("GFLOP/s"), r.out());
    }

    @Test
    void benchGemmScalarBackendByName() {
        Run r = run(concat(new String[] {"bench", "gemm", "--size", "33", "--backend", "scalar", "--json", "--min-reps", "2"}, FAST));
        assertEquals(0, r.code(), r.err());
        assertEquals("scalar", json(r.lastLine()).get("backend"));
    }

    @Test
    void benchConv2dBackwardJson() {
        Run r = run(concat(new String[] {"bench", "conv2d", "--batch", "2", "--in", "3", "--out", "4", "--hw", "8",
                "--kernel", "3", "--pad", "1", "--backward", "--threads", "1", "--json", "--min-reps", "3"}, FAST));
        assertEquals(0, r.code(), r.err());
        Map<String, Object> m = json(r.lastLine());
        assertTrue(number(m, "median_ms") > 0, r.lastLine());
        assertTrue(number(m, "gflops") > 0, r.lastLine());
        assertEquals(8.0, number(m, "out_hw"));
        assertEquals(Boolean.TRUE, m.get("backward"));
    }

    @Test
    void benchConv2dForwardHumanReadable() {
        Run r = run(concat(new String[] {"bench", "conv2d", "--batch", "1", "--in", "2", "--out", "2", "--hw", "9",
                "--kernel", "3", "--stride", "2", "--min-reps", "2"}, FAST));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("conv2d") && r.out().contains("median"), r.out());
    }

    @Test
    void conv2dBadShapesAreRejected() {
        Run big = run("bench", "conv2d", "--batch", "1", "--in", "1", "--out", "1", "--hw", "4", "--kernel", "9");
        assertNotEquals(0, big.code());
        assertTrue(big.err().contains("--kernel 9"), big.err());

        Run zero = run("bench", "conv2d", "--batch", "0", "--in", "1", "--out", "1", "--hw", "4", "--kernel", "3");
        assertNotEquals(0, zero.code());
        assertTrue(zero.err().contains("--batch must be a positive integer, got 0"), zero.err());

        Run groups = run("bench", "conv2d", "--batch", "1", "--in", "3", "--out", "4", "--hw", "4", "--kernel", "1",
                "--groups", "2");
        assertNotEquals(0, groups.code());
        assertTrue(groups.err().contains("--groups"), groups.err());
    }

    @Test
    void sizeZeroIsRejected() {
        Run r = run("bench", "gemm", "--size", "0");
        assertNotEquals(0, r.code());
        assertTrue(r.err().contains("--size must be a positive integer, got 0"), r.err());
        assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
        assertTrue(r.out().isEmpty(), r.out());
    }

    @Test
    void badArgumentsAreRejectedWithTheirName() {
        Run missing = run("bench", "gemm");
        assertNotEquals(0, missing.code());
        assertTrue(missing.err().contains("--size"), missing.err());

        Run reps = run("bench", "gemm", "--size", "8", "--min-reps", "0");
        assertNotEquals(0, reps.code());
        assertTrue(reps.err().contains("--min-reps"), reps.err());

        Run threads = run("bench", "gemm", "--size", "8", "--threads", "0");
        assertNotEquals(0, threads.code());
        assertTrue(threads.err().contains("--threads"), threads.err());

        Run backend = run("bench", "gemm", "--size", "8", "--backend", "no-such-backend");
        assertNotEquals(0, backend.code());
        assertTrue(backend.err().contains("no-such-backend"), backend.err());

        Run notANumber = run("bench", "gemm", "--size", "big");
        assertNotEquals(0, notANumber.code());
        assertTrue(notANumber.err().contains("big"), notANumber.err());
    }

    @Test
    void unknownSubcommandIsRejected() {
        Run r = run("bench", "frobnicate");
        assertNotEquals(0, r.code());
        assertTrue(r.err().contains("unknown subcommand 'frobnicate'"), r.err());
        assertTrue(r.err().contains("gemm"), "lists the valid ones: " + r.err());

        Run top = run("frobnicate");
        assertNotEquals(0, top.code());
        assertTrue(top.err().contains("frobnicate"), top.err());

        Run none = run("bench");
        assertNotEquals(0, none.code());
        assertTrue(none.err().contains("missing subcommand"), none.err());
    }

    @Test
    void plainCommandLineAlsoFailsOnBadArguments() {
        Run r = run(new CommandLine(new Main()), "bench", "gemm", "--size", "0");
        assertNotEquals(0, r.code());
        assertTrue(r.err().contains("--size"), r.err());
    }

    @Test
    void noStackTraceWithoutVerbose() {
        Run r = run("bench", "gemm", "--size", "-5");
        assertTrue(!r.err().contains("\tat "), r.err());
    }

    @Test
    void versionNamesTersorAndJava() {
        Run r = run("--version");
        assertEquals(0, r.code());
        assertTrue(r.out().startsWith("tersor "), r.out());
        assertTrue(r.out().contains("Java "), r.out());
    }
}
