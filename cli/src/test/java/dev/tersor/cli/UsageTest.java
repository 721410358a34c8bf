package dev.tersor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** What a user sees for help and for mistakes: every command's help, typos, thread counts. */
class UsageTest {

    private static void collect(CommandLine cl, List<String[]> paths, List<String> prefix) {
        for (var e : cl.getSubcommands().entrySet()) {
            if (e.getKey().equals("help")) continue;   // picocli's own help command
            List<String> p = new ArrayList<>(prefix);
            p.add(e.getKey());
            paths.add(p.toArray(String[]::new));
            collect(e.getValue(), paths, p);
        }
    }

    @Test
    void everyCommandAnswersHelpWithItsUsageAndNoPicocliWarning() {
        List<String[]> commands = new ArrayList<>();
        collect(Main.commandLine(), commands, List.of());
        assertTrue(commands.size() > 20, "commands found: " + commands.size());
        for (String[] c : commands) {
            MainTest.Run r = MainTest.run(MainTest.concat(c, "--help"));
            String name = String.join(" ", c);
            assertEquals(0, r.code(), name + " --help: " + r.err());
            assertTrue(r.out().startsWith("Usage: tersor " + name), name + ": " + r.out());
            assertFalse((r.out() + r.err()).contains("picocli WARN"), name + ": " + r.err());
        }
    }

    @Test
    void aMistypedOptionIsNamedWithTheClosestRealOne() {
        MainTest.Run r = MainTest.run("train", "--modle", "lenet5", "--out", "x.safetensors");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("unknown option '--modle' (did you mean '--model'?)"), r.err());
        MainTest.Run two = MainTest.run("eval", "--modl", "lenet5", "--wieghts", "w.safetensors", "--zzzzzzzzzz");
        assertEquals(2, two.code());
        assertTrue(two.err().contains("unknown options '--modl' (did you mean '--model'?), '--wieghts' (did you mean '--weights'?), '--zzzzzzzzzz'"),
                two.err());
        assertEquals(1, UnknownOptions.distance("--modle", "--model"));
        assertEquals(3, UnknownOptions.distance("abc", ""));
        MainTest.Run missing = MainTest.run("predict", "--model", "lenet5");
        assertTrue(missing.err().contains("Missing required option"), "a plain missing option is still reported as such: " + missing.err());
        MainTest.Run neither = MainTest.run("train", "--out", "x.safetensors");
        assertTrue(neither.err().contains("give --model M (a zoo model) or --arch arch.json"), neither.err());
    }

    @Test
    void threadCountsAboveTheProcessorsWarnAndAbsurdOnesAreRejected() {
        int cpus = Runtime.getRuntime().availableProcessors();
        MainTest.Run many = MainTest.run("bench", "gemm", "--size", "8", "--threads", Integer.toString(cpus + 1), "--time-seconds", "0.01",
                "--warmup-seconds", "0.01", "--min-reps", "1");
        assertEquals(0, many.code(), many.err());
        assertTrue(many.err().contains("warning: --threads " + (cpus + 1) + " is more than the " + cpus + " processor"), many.err());
        MainTest.Run absurd = MainTest.run("bench", "gemm", "--size", "8", "--threads", "100000");
        assertEquals(2, absurd.code());
        assertTrue(absurd.err().contains("--threads must be between 1 and 1024, got 100000"), absurd.err());
        MainTest.Run fits = MainTest.run("bench", "gemm", "--size", "8", "--threads", "1", "--time-seconds", "0.01", "--warmup-seconds", "0.01",
                "--min-reps", "1");
        assertFalse(fits.err().contains("warning"), fits.err());
    }
}
