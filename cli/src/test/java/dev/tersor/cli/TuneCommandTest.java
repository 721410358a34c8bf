package dev.tersor.cli;

import static dev.tersor.cli.MainTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.cli.MainTest.Run;
import dev.tersor.tensor.backend.PlanMode;
import dev.tersor.tensor.backend.Plans;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tersor tune}: measures LeNet-5's shapes, prints valid plan names per shape, writes the plan cache. */
class TuneCommandTest {
    /** The text forms of GemmPlan and ConvPlan. */
    private static final Pattern PLAN = Pattern.compile("(DOT|DIRECT) tasks=\\d+"
            + "|(BLOCKED|UNPACKED) mc=\\d+ kc=\\d+ nc=\\d+ mr=\\d+ tasks=\\d+ split=(rows|panels)"
            + "|(SHIFTED_WINDOWS|IM2COL_GEMM|DIRECT) per=\\d+ split=(batch|inside)");

    @Test
    void tunesLenet5AndWritesTheCache(@TempDir Path dir) throws IOException {
        PlanMode before = Plans.mode();
        Plans.setDirectory(dir);
        try {
            Run r = run("tune", "--model", "lenet5", "--batch", "2", "--threads", "2");
            assertEquals(0, r.code(), r.err());
            List<String> chose = r.out().lines().filter(l -> l.startsWith("  chose ")).toList();
            assertTrue(chose.size() >= 4, r.out());   // LeNet-5: two convolutions (three maps each) and three linear layers
            for (String l : chose) {
                String plan = l.substring("  chose ".length(), l.indexOf(" ("));
                assertTrue(PLAN.matcher(plan).matches(), "not a plan name: '" + plan + "' in " + l);
            }
            assertTrue(r.out().contains("conv  forward 1x28x28->6x28x28 k5x5 s1x1 p2x2"), r.out());
            assertTrue(r.out().contains("measured: "), r.out());
            List<Path> files;
            try (var list = Files.list(dir)) {
                files = list.filter(f -> f.getFileName().toString().matches("plans-[0-9a-f]{8}\\.txt")).toList();
            }
            assertEquals(1, files.size(), "one cache file, for the two-thread key: " + files);
            Path file = files.get(0);
            assertTrue(Files.exists(file), "no plan cache in " + dir);
            String text = Files.readString(file);
            assertTrue(text.startsWith("tersor-plans 1\nkey cpu="), text);
            assertTrue(text.contains("threads=2;"), text);
            assertTrue(text.contains("\nconv\t") && text.contains("\ngemm\t"), text);
            assertEquals(before, Plans.mode(), "tune restores the plan mode");
        } finally {
            Plans.setDirectory(null);
        }
    }

    @Test
    void tunesACompressedFilesInferenceWithItsInt8Paths(@TempDir Path dir) throws IOException {
        Path w = dir.resolve("lenet5.safetensors"), q = dir.resolve("lenet5-int8.safetensors");
        assertEquals(0, run("train", "--model", "lenet5", "--limit", "256", "--epochs", "1", "--threads", "1", "--out", w.toString()).code());
        Run ptq = run("compress", "ptq", "--model", "lenet5", "--weights", w.toString(), "--limit", "256", "--calib", "64", "--threads", "1",
                "--out", q.toString());
        assertEquals(0, ptq.code(), ptq.err());
        Path plans = dir.resolve("plans");
        PlanMode before = Plans.mode();
        Plans.setDirectory(plans);
        try {
            Run r = run("tune", "--weights", q.toString(), "--batch", "64", "--threads", "1");
            assertEquals(0, r.code(), r.err());
            assertTrue(r.out().contains("lenet5 (compressed file, inference)"), r.out());
            assertTrue(r.out().contains("int8  linear 64x400->120 t1\n  chose "), r.out());
            assertTrue(r.out().contains("int8  conv 6x14x14->16x10x10 k5x5 s1x1 p0x0 d1x1 g1 n64 t1"), r.out());
            String text;
            try (var list = Files.list(plans)) {
                text = Files.readString(list.filter(f -> f.getFileName().toString().startsWith("plans-")).findFirst().orElseThrow());
            }
            assertTrue(text.matches("(?s).*\nint8\tlinear 64x400->120 t1\t(INTEGER|FLOAT_PRODUCT)\n.*"), text);
            assertEquals(before, Plans.mode(), "tune restores the plan mode");
        } finally {
            Plans.setDirectory(null);
        }
    }

    @Test
    void badArgumentsAreNamed() {
        Run r = run("tune", "--model", "nope");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--model: unknown model 'nope'"), r.err());
        Run b = run("tune", "--model", "lenet5", "--batch", "0");
        assertEquals(2, b.code());
        assertTrue(b.err().contains("--batch must be a positive integer, got 0"), b.err());
        Run m = run("tune", "--weights", "no-such-file.safetensors");
        assertEquals(2, m.code());
        assertTrue(m.err().contains("no-such-file.safetensors"), m.err());
        Run none = run("tune");
        assertEquals(2, none.code());
        assertTrue(none.err().contains("--model is required"), none.err());
    }
}
