package dev.tersor.nn.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.nn.Parameter;
import dev.tersor.tensor.Tensor;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/** The PyTorch trajectories of {@code optim/golden.txt} (written by {@code optim/generate.py}). */
final class Golden {
    static final int STEPS = 5;
    private static Golden instance;

    final Map<String, int[]> shapes = new HashMap<>();
    final Map<String, double[]> params = new HashMap<>();
    /** "name/step" → gradient; absent when the parameter has no gradient at that step. */
    final Map<String, double[]> grads = new HashMap<>();
    /** "case/name/step" → parameter after that step. */
    final Map<String, double[]> expected = new HashMap<>();
    /** "case/group" → 100 learning rates. */
    final Map<String, double[]> lrs = new HashMap<>();

    static synchronized Golden load() {
        if (instance == null) instance = new Golden();
        return instance;
    }

    private Golden() {
        var in = Golden.class.getResourceAsStream("/optim/golden.txt");
        if (in == null) throw new IllegalStateException("optim/golden.txt is missing from the test resources");
        try (var r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith("#") || line.isBlank()) continue;
                String[] f = line.split(" ");
                switch (f[0]) {
                    case "param" -> {
                        shapes.put(f[1], Arrays.stream(f[2].split(",")).mapToInt(Integer::parseInt).toArray());
                        params.put(f[1], values(f, 3));
                    }
                    case "grad" -> grads.put(f[1] + "/" + f[2], values(f, 3));
                    case "expect" -> expected.put(f[1] + "/" + f[2] + "/" + f[3], values(f, 4));
                    case "lr" -> lrs.put(f[1] + "/" + f[2], values(f, 3));
                    default -> throw new IllegalStateException("bad golden line: " + line);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static double[] values(String[] f, int from) {
        double[] v = new double[f.length - from];
        for (int i = 0; i < v.length; i++) v[i] = Double.parseDouble(f[from + i]);
        return v;
    }

    static float[] toFloat(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
        return f;
    }

    /** A fresh parameter holding the initial value of {@code name}. */
    Parameter parameter(String name) {
        return new Parameter(Tensor.fromArray(toFloat(params.get(name)), shapes.get(name)));
    }

    /** Gives {@code p} exactly the golden gradient of {@code name} at {@code step}, or none. */
    void setGrad(Parameter p, String name, int step) {
        p.zeroGrad();
        double[] g = grads.get(name + "/" + step);
        if (g == null) return;
        setGrad(p, Tensor.fromArray(toFloat(g), shapes.get(name)));
    }

    /** Makes {@code g} the gradient of {@code p} through backward of {@code sum(p · g)}. */
    static void setGrad(Parameter p, Tensor g) {
        p.zeroGrad();
        p.value().mul(g).sum().backward();
    }

    /** Asserts {@code actual} within {@code rel} relative of {@code expected}. */
    static void assertClose(double[] expected, float[] actual, double rel, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            double err = Math.abs(actual[i] - expected[i]);
            double tolerance = rel * Math.abs(expected[i]);
            int index = i;
            assertTrue(err <= tolerance, () -> what + "[" + index + "]: expected " + expected[index] + ", got " + actual[index]
                    + " (relative error " + err / Math.abs(expected[index]) + ")");
        }
    }
}
