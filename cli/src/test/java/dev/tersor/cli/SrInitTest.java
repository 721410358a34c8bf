package dev.tersor.cli;

import static dev.tersor.cli.MainTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.cli.MainTest.Run;
import dev.tersor.nn.io.Safetensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code train --task sr --init W}: the same model's weights, edsr weights converted for edsr-ghost, and the refusals. */
class SrInitTest {
    @TempDir
    Path tmp;
    Path train;

    @BeforeEach
    void images() throws IOException {
        train = SrCommandsTest.photos(tmp.resolve("train"), 2);
    }

    /** One SR training epoch of {@code model}; lr 1e-12, so the written weights are the starting ones to ~1e-9. */
    private Run train(String model, String out, String... extra) {
        List<String> a = new ArrayList<>(List.of("train", "--task", "sr", "--model", model, "--data", train.toString(), "--patch", "12", "--batch", "2",
                "--iterations-per-epoch", "1", "--epochs", "1", "--lr", "1e-12", "--threads", "1", "--out", tmp.resolve(out).toString()));
        a.addAll(List.of(extra));
        return run(a.toArray(String[]::new));
    }

    private Map<String, float[]> weights(String file) throws IOException {
        Map<String, float[]> w = new java.util.TreeMap<>();
        Safetensors.readTensors(tmp.resolve(file)).forEach((k, v) -> w.put(k, v.toArray()));
        return w;
    }

    @Test
    void theSameModelsWeightsAreTheStart() throws IOException {
        assertEquals(0, train("edsr-tiny", "a.safetensors", "--seed", "1").code());
        Run b = train("edsr-tiny", "b.safetensors", "--seed", "2", "--init", tmp.resolve("a.safetensors").toString());
        assertEquals(0, b.code(), b.err());
        assertTrue(b.err().contains("started from " + tmp.resolve("a.safetensors")), b.err());
        Map<String, float[]> x = weights("a.safetensors"), y = weights("b.safetensors");
        assertEquals(x.keySet(), y.keySet());
        for (String k : x.keySet()) {
            for (int i = 0; i < x.get(k).length; i++) assertEquals(x.get(k)[i], y.get(k)[i], 1e-6, k + "[" + i + "]");
        }
    }

    /** Each ghost module's intrinsic filters are filters of the trained EDSR convolution it replaces (the cluster representatives). */
    @Test
    void edsrWeightsBecomeGhostModulesByFilterClustering() throws IOException {
        assertEquals(0, train("edsr", "edsr.safetensors").code());
        Run g = train("edsr-ghost", "ghost.safetensors", "--init", tmp.resolve("edsr.safetensors").toString());
        assertEquals(0, g.code(), g.err());
        assertTrue(g.err().contains("converted 32 residual-block convolutions"), g.err());
        Map<String, float[]> edsr = weights("edsr.safetensors"), ghost = weights("ghost.safetensors");
        float[] conv = edsr.get("body.3.body.2.weight"), primary = ghost.get("body.3.body.2.primary.weight");
        int row = 64 * 9;
        assertEquals(32 * row, primary.length);
        for (int r = 0; r < 32; r++) {
            float[] p = Arrays.copyOfRange(primary, r * row, (r + 1) * row);
            boolean found = false;
            for (int k = 0; k < 64 && !found; k++) {
                float[] c = Arrays.copyOfRange(conv, k * row, (k + 1) * row);
                double d = 0;
                for (int i = 0; i < row; i++) d = Math.max(d, Math.abs(c[i] - p[i]));
                found = d < 1e-6;
            }
            assertTrue(found, "intrinsic filter " + r + " is one of the trained filters");
        }
        assertTrue(maxDiff(edsr.get("head.0.weight"), ghost.get("head.0.weight")) < 1e-6, "the head is kept");
    }

    private static double maxDiff(float[] a, float[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
        return d;
    }

    @Test
    void refusals() throws IOException {
        assertEquals(0, train("edsr-tiny", "a.safetensors").code());
        Run other = train("edsr-ghost", "g.safetensors", "--init", tmp.resolve("a.safetensors").toString());
        assertEquals(2, other.code());
        assertTrue(other.err().contains("holds edsr-tiny weights, not edsr-ghost"), other.err());
        Run both = train("edsr-tiny", "c.safetensors", "--init", tmp.resolve("a.safetensors").toString(), "--resume",
                tmp.resolve("a.safetensors.ckpt").toString());
        assertEquals(2, both.code());
        assertTrue(both.err().contains("--init and --resume"), both.err());
        Run classify = run("train", "--model", "lenet5", "--init", tmp.resolve("a.safetensors").toString(), "--out", tmp.resolve("l.safetensors").toString());
        assertEquals(2, classify.code());
        assertTrue(classify.err().contains("--init is only for super-resolution"), classify.err());
    }
}
