package dev.tersor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.cli.MainTest.Run;
import dev.tersor.nn.io.Safetensors;
import dev.tersor.nn.io.SafetensorsFile;
import dev.tersor.tensor.Generator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tersor train}, {@code tersor compress qat} and {@code tersor search} in a child JVM, killed with SIGKILL at
 * random points (between steps, inside an epoch, while a checkpoint is being written) and resumed
 * each time: the final file holds the same tensors as a run never interrupted, bit for bit, and
 * every checkpoint left on disk reads back.
 */
class KillResumeTest {
    @TempDir
    Path tmp;

    private static final String[] COMMON = {"--model", "lenet5", "--limit", "512", "--batch", "32", "--threads", "1", "--checkpoint-every", "2"};

    /** The command of {@code kind} ({@code train}, {@code qat} or {@code search}) without its output flags. */
    private String[] command(String kind) {
        if (kind.equals("train")) return MainTest.concat(MainTest.concat(new String[] {"train"}, COMMON), "--epochs", "3");
        if (kind.equals("search")) {
            return new String[] {"search", "--dataset", "mnist", "--limit", "960", "--val-split", "0.2", "--epochs", "3", "--method", "random",
                "--evaluations", "8", "--threads", "1"};
        }
        Path weights = tmp.resolve("float.safetensors");
        if (!Files.exists(weights)) {
            Run t = MainTest.run("train", "--model", "lenet5", "--limit", "512", "--batch", "32", "--epochs", "1", "--threads", "1",
                    "--out", weights.toString());
            assertEquals(0, t.code(), t.err());
        }
        return MainTest.concat(MainTest.concat(new String[] {"compress", "qat"}, COMMON), "--weights", weights.toString(), "--method", "lsq",
                "--wbits", "4", "--abits", "4", "--epochs", "3", "--lr", "0.005");
    }

    /** Output flags: {@code train} names its checkpoint, {@code compress} writes {@code <out>.ckpt}. */
    private static String[] outputs(String kind, Path out, Path ckpt) {
        return kind.equals("train") ? new String[] {"--out", out.toString(), "--checkpoint", ckpt.toString()} : new String[] {"--out", out.toString()};
    }

    /** What a run of {@code kind} leaves: the weights' tensors, or a search's architecture file and its scored candidates. */
    private static Map<String, List<Byte>> result(String kind, Path out) throws Exception {
        if (!kind.equals("search")) return tensors(out);
        Map<String, List<Byte>> r = new java.util.TreeMap<>();
        String[] names = {"arch.json", "trials.csv"};
        Path[] files = {out, Path.of(out + ".run").resolve("random-trials.csv")};
        for (int i = 0; i < files.length; i++) {
            List<Byte> bytes = new ArrayList<>();
            for (byte b : Files.readAllBytes(files[i])) bytes.add(b);
            r.put(names[i], bytes);
        }
        return r;
    }

    /** Every tensor of a file, as raw bytes (integer tensors of compressed files too). */
    private static Map<String, List<Byte>> tensors(Path file) throws Exception {
        Map<String, List<Byte>> out = new java.util.TreeMap<>();
        try (SafetensorsFile f = Safetensors.read(file)) {
            for (String n : f.names()) {
                java.nio.ByteBuffer b = f.bytes(n).duplicate();
                List<Byte> bytes = new ArrayList<>(b.remaining());
                while (b.hasRemaining()) bytes.add(b.get());
                out.put(n, bytes);
            }
        }
        return out;
    }

    private static Process child(List<String> args, Path log) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(args);
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** Waits (at most a minute) until {@code p} has written a checkpoint newer than {@code before}; false if it ended first. */
    private static boolean waitForNewCheckpoint(Process p, Path ckpt, long before) throws Exception {
        for (int i = 0; i < 3000 && p.isAlive(); i++) {
            if (Files.exists(ckpt) && Files.getLastModifiedTime(ckpt).toMillis() != before) return true;
            Thread.sleep(20);
        }
        return p.isAlive();
    }

    @ParameterizedTest
    @ValueSource(strings = {"train", "qat", "search"})
    void aRunKilledAtRandomPointsAndResumedEndsWithTheUninterruptedRunsWeights(String kind) throws Exception {
        String[] run = command(kind);
        String ext = kind.equals("search") ? ".json" : ".safetensors";
        Path straight = tmp.resolve("straight" + ext);
        Run s = MainTest.run(MainTest.concat(run, "--out", straight.toString()));
        assertEquals(0, s.code(), s.err());

        Path out = tmp.resolve("killed" + ext), log = tmp.resolve("child.log");
        Path ckpt = kind.equals("train") ? tmp.resolve("killed.ckpt")
                : kind.equals("search") ? Path.of(out + ".run").resolve("supernet.ckpt") : Path.of(out + ".ckpt");
        Generator g = new Generator(2026);
        int kills = 0, resumes = 0;
        for (int attempt = 0; attempt < 7; attempt++) {
            List<String> args = new ArrayList<>(List.of(MainTest.concat(run, outputs(kind, out, ckpt))));
            if (Files.exists(ckpt)) {
                if (!kind.equals("search")) args.addAll(List.of("--resume", ckpt.toString()));   // a search resumes from its run directory
                resumes++;
            }
            long before = Files.exists(ckpt) ? Files.getLastModifiedTime(ckpt).toMillis() : -1;
            Process p = child(args, log);
            boolean last = attempt == 6;
            // SIGKILL on Linux, a random moment (within a few steps, however fast the JVM) after this attempt's first checkpoint:
            // every attempt makes progress, and the run is interrupted several times before it can finish
            if (!last && waitForNewCheckpoint(p, ckpt, before) && !p.waitFor(g.nextInt(60), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                kills++;
            }
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the child ends");
            if (Files.exists(ckpt)) {
                try (SafetensorsFile f = Safetensors.read(ckpt)) {   // never a torn checkpoint
                    assertTrue(f.metadata().containsKey("epoch"), "a checkpoint after attempt " + attempt);
                }
            }
            if (p.exitValue() == 0 && Files.exists(out)) break;
        }
        assertTrue(kills >= 2 && resumes >= 1, kills + " kills, " + resumes + " resumes: the test must interrupt the run");
        assertTrue(Files.exists(out), "the run finished: " + Files.readString(log));
        Map<String, List<Byte>> a = result(kind, straight), b = result(kind, out);
        assertEquals(a.keySet(), b.keySet());
        for (String k : a.keySet()) assertEquals(a.get(k), b.get(k), kind + ": " + k + " after " + kills + " kills");
    }
}
