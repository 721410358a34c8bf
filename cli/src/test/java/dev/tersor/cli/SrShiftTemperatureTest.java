package dev.tersor.cli;

import static dev.tersor.cli.MainTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.cli.MainTest.Run;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code train --task sr --shift-temperature T0:T1}: GhostSR's Gumbel temperature annealed per epoch, recorded for a resume, and the refusals. */
class SrShiftTemperatureTest {
    @TempDir
    Path tmp;
    Path train;

    @BeforeEach
    void images() throws IOException {
        train = SrCommandsTest.photos(tmp.resolve("train"), 2);
    }

    private Run train(String model, String out, int epochs, String... extra) {
        List<String> a = new ArrayList<>(List.of("train", "--task", "sr", "--model", model, "--data", train.toString(), "--patch", "12", "--batch", "2",
                "--iterations-per-epoch", "1", "--epochs", Integer.toString(epochs), "--lr", "1e-4", "--threads", "1", "--out", tmp.resolve(out).toString()));
        a.addAll(List.of(extra));
        return run(a.toArray(String[]::new));
    }

    /** Geometric from T0 in the first epoch to T1 in the last: 1, 0.1, 0.01 over three epochs. */
    @Test
    void temperatureFallsGeometricallyEpochByEpoch() {
        Run r = train("edsr-ghost", "g.safetensors", 3, "--shift-temperature", "1:0.01");
        assertEquals(0, r.code(), r.err());
        for (String line : new String[] {"epoch 1: shift temperature 1 (32 GhostSR shifts)", "epoch 2: shift temperature 0.1 (32", "epoch 3: shift temperature 0.01 (32"}) {
            assertTrue(r.err().contains(line), line + " in " + r.err());
        }
        Run other = train("edsr-ghost", "h.safetensors", 4, "--resume", tmp.resolve("g.safetensors.ckpt").toString(), "--shift-temperature", "1:0.5");
        assertEquals(2, other.code());
        assertTrue(other.err().contains("--shift-temperature 1.0:0.5 (the run had 1.0:0.01)"), other.err());
        Run resumed = train("edsr-ghost", "h.safetensors", 4, "--resume", tmp.resolve("g.safetensors.ckpt").toString());
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.err().contains("epoch 4: shift temperature 0.01"), "the resumed run keeps the schedule's end: " + resumed.err());
    }

    @Test
    void refusals() {
        Run plain = train("edsr-tiny", "t.safetensors", 1, "--shift-temperature", "1:0.1");
        assertEquals(2, plain.code());
        assertTrue(plain.err().contains("--shift-temperature: edsr-tiny has no GhostSR shifts"), plain.err());
        for (String bad : new String[] {"1", "1:x", "0:1", "1:Infinity"}) {
            Run r = train("edsr-ghost", "b.safetensors", 1, "--shift-temperature", bad);
            assertEquals(2, r.code(), bad);
            assertTrue(r.err().contains("--shift-temperature") && r.err().contains("'" + bad + "'"), r.err());
        }
        Run classify = run("train", "--model", "lenet5", "--shift-temperature", "1:0.1", "--out", tmp.resolve("l.safetensors").toString());
        assertEquals(2, classify.code());
        assertTrue(classify.err().contains("--shift-temperature: only for super-resolution"), classify.err());
    }
}
