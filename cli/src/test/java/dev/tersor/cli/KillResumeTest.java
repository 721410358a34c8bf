package dev.tersor.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.cli.MainTest.Run;
import dev.tersor.nn.io.Safetensors;
import dev.tersor.nn.io.SafetensorsFile;
import dev.tersor.tensor.Generator;
import dev.tersor.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tersor train} in a child JVM, killed with SIGKILL at random points (between steps, inside
 * an epoch, while a checkpoint is being written) and resumed each time: the final weights equal
 * those of a run never interrupted, bit for bit, and every checkpoint left on disk reads back.
 */
class KillResumeTest {
    @TempDir
    Path tmp;

    private static final String[] RUN = {"train", "--model", "lenet5", "--limit", "512", "--batch", "32", "--epochs", "2",
        "--threads", "1", "--checkpoint-every", "2"};

    private static Process child(List<String> args, Path log) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(args);
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    @Test
    void aRunKilledAtRandomPointsAndResumedEndsWithTheUninterruptedRunsWeights() throws Exception {
        Path straight = tmp.resolve("straight.safetensors");
        Run s = MainTest.run(MainTest.concat(RUN, "--out", straight.toString()));
        assertEquals(0, s.code(), s.err());

        Path out = tmp.resolve("killed.safetensors"), ckpt = tmp.resolve("killed.ckpt"), log = tmp.resolve("child.log");
        Generator g = new Generator(2026);
        int kills = 0, resumes = 0;
        for (int attempt = 0; attempt < 7; attempt++) {
            List<String> args = new ArrayList<>(List.of(MainTest.concat(RUN, "--out", out.toString(), "--checkpoint", ckpt.toString())));
            if (Files.exists(ckpt)) {
                args.addAll(List.of("--resume", ckpt.toString()));
                resumes++;
            }
            Process p = child(args, log);
            boolean last = attempt == 6;
            if (!last && !p.waitFor(400 + g.nextInt(2600), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();   // SIGKILL on Linux
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
        Map<String, Tensor> a = Safetensors.readTensors(straight), b = Safetensors.readTensors(out);
        assertEquals(a.keySet(), b.keySet());
        for (String k : a.keySet()) assertArrayEquals(a.get(k).toArray(), b.get(k).toArray(), k + " after " + kills + " kills");
    }
}
