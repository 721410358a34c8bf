package dev.tersor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;

/**
 * Fuzz targets for the CLI: {@code tersor} argument parsing in-process ({@link Main#commandLine})
 * and the JSON reader of {@link Json}. Contract: fuzzed arguments end with the usage exit code
 * (2; or 0 for {@code --help}/{@code --version}), a one-line message and no stack trace,
 * never an uncaught exception; JSON either parses and round-trips through {@link Json#write} or
 * fails with an {@link IllegalArgumentException} naming the offset. Inputs:
 * {@code src/test/resources/dev/tersor/cli/CliFuzzTestInputs/<method>/}.
 */
class CliFuzzTest {
    /** Never an option of any command: it makes every fuzzed command line a usage error before anything runs. */
    static final String NOT_AN_OPTION = "--fuzz-no-such-option";
    private static final List<String> WORDS = List.of("train", "eval", "predict", "info", "demo", "data", "compress", "bench",
            "help", "--help", "-h", "--version", "-V", "--verbose", "--model", "lenet5", "--epochs", "--lr", "--batch-size",
            "--data", "--out", "--threads", "--seed", "--json", "ptq", "qat", "prune", "cluster", "gemm", "--size", "=", "-1",
            "0", "1e9", "NaN", "2147483648", "--val-split", "--keep", "best", "--checkpoint-every", "--weights");

    @FuzzTest(maxExecutions = 100_000, maxDuration = "60s")
    void arguments(FuzzedDataProvider in) {
        List<String> args = new ArrayList<>();
        int n = in.consumeInt(0, 8);
        for (int i = 0; i < n; i++) {
            String a = in.consumeBoolean() ? in.pickValue(WORDS) : in.consumeString(24);
            if (a.equals("--") || a.startsWith("@")) continue;   // end of options / argument files would let a command run
            args.add(a);
        }
        args.add(in.consumeInt(0, args.size()), NOT_AN_OPTION);
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter(), err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args.toArray(String[]::new));
        String said = err.toString();
        if (code == 0) {
            assertTrue(args.stream().anyMatch(a -> a.startsWith("-h") || a.startsWith("--help") || a.startsWith("-V")
                    || a.startsWith("--version") || a.equals("help")), "exit 0 without help or version: " + args);
            return;
        }
        assertEquals(Main.EXIT_USAGE, code, args + " -> " + said);
        assertTrue(said.contains("--help"), said);
        if (!args.contains("--verbose") && !args.contains("-v")) assertFalse(said.contains("\tat "), "stack trace for " + args + ": " + said);
    }

    @FuzzTest(maxExecutions = 400_000, maxDuration = "60s")
    void json(@NotNull String text) {
        Object v;
        try {
            v = Json.parse(text);
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage().startsWith("bad JSON at offset "), e.getMessage());
            return;
        }
        assertEquals(v, Json.parse(Json.write(v)));
    }
}
