package dev.tersor.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.tersor.tensor.testing.Fixtures;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Forward values and every gradient of the NN-functional ops against PyTorch 1.13 fixtures
 * (src/test/resources/fixtures, made by generate.py): one parameterised test per file, one
 * invocation per case.
 */
class FunctionalFixtureTest {
    private static final double ATOL = 1e-4, RTOL = 1e-4;

    private static final Fixtures CONV = Fixtures.load("conv2d.safetensors");
    private static final Fixtures CONV_T = Fixtures.load("conv_transpose2d.safetensors");
    private static final Fixtures POOL = Fixtures.load("pool.safetensors");
    private static final Fixtures INTERP = Fixtures.load("interpolate.safetensors");
    private static final Fixtures MISC = Fixtures.load("misc.safetensors");

    static IntStream conv2dCases() {
        return IntStream.range(0, CONV.cases());
    }

    static IntStream convTranspose2dCases() {
        return IntStream.range(0, CONV_T.cases());
    }

    static IntStream poolCases() {
        return IntStream.range(0, POOL.cases());
    }

    static IntStream interpolateCases() {
        return IntStream.range(0, INTERP.cases());
    }

    static IntStream miscCases() {
        return IntStream.range(0, MISC.cases());
    }

    @ParameterizedTest(name = "conv2d case {0}")
    @MethodSource("conv2dCases")
    void conv2d(int c) {
        Fixtures f = CONV;
        int[] s = f.ints(c, "stride"), p = f.ints(c, "padding"), d = f.ints(c, "dilation");
        Conv2dOptions o = new Conv2dOptions(s[0], s[1], p[0], p[1], d[0], d[1], f.ints(c, "groups")[0]);
        check(f, c, in -> Functional.conv2d(in.get("input"), in.get("weight"), in.get("bias"), o), "input", "weight", "bias");
    }

    @ParameterizedTest(name = "conv_transpose2d case {0}")
    @MethodSource("convTranspose2dCases")
    void convTranspose2d(int c) {
        Fixtures f = CONV_T;
        int[] s = f.ints(c, "stride"), p = f.ints(c, "padding"), op = f.ints(c, "output_padding"), d = f.ints(c, "dilation");
        ConvTranspose2dOptions o = new ConvTranspose2dOptions(s[0], s[1], p[0], p[1], op[0], op[1], d[0], d[1],
                f.ints(c, "groups")[0]);
        check(f, c, in -> Functional.convTranspose2d(in.get("input"), in.get("weight"), in.get("bias"), o),
                "input", "weight", "bias");
    }

    @ParameterizedTest(name = "pool case {0}")
    @MethodSource("poolCases")
    void pool(int c) {
        Fixtures f = POOL;
        String op = f.param(c, "op");
        Function<Map<String, Tensor>, Tensor> fn;
        if (op.equals("adaptive_avg_pool2d")) {
            int[] size = f.ints(c, "output_size");
            fn = in -> Functional.adaptiveAvgPool2d(in.get("input"), size[0], size[1]);
        } else {
            int[] k = f.ints(c, "kernel"), s = f.ints(c, "stride"), p = f.ints(c, "padding");
            boolean max = op.equals("max_pool2d");
            int[] d = max ? f.ints(c, "dilation") : new int[] {1, 1};
            boolean cip = !max && flag(f, c, "count_include_pad");
            Pool2dOptions o = new Pool2dOptions(k[0], k[1], s[0], s[1], p[0], p[1], d[0], d[1], flag(f, c, "ceil_mode"), cip);
            fn = max ? in -> Functional.maxPool2d(in.get("input"), o) : in -> Functional.avgPool2d(in.get("input"), o);
        }
        check(f, c, fn, "input");
    }

    @ParameterizedTest(name = "interpolate case {0}")
    @MethodSource("interpolateCases")
    void interpolate(int c) {
        Fixtures f = INTERP;
        InterpolationMode mode = InterpolationMode.valueOf(f.param(c, "mode").toUpperCase());
        boolean align = mode == InterpolationMode.BILINEAR && flag(f, c, "align_corners");
        int[] size = f.ints(c, "size");
        // recompute_scale_factor=True is PyTorch's way of asking for the size-based call
        boolean byScale = f.params(c).containsKey("scale") && !(f.params(c).containsKey("recompute") && flag(f, c, "recompute"));
        Function<Map<String, Tensor>, Tensor> fn = byScale
                ? in -> Functional.interpolate(in.get("input"), Double.parseDouble(f.param(c, "scale")), mode, align)
                : in -> Functional.interpolate(in.get("input"), size[0], size[1], mode, align);
        check(f, c, fn, "input");
    }

    @ParameterizedTest(name = "misc case {0}")
    @MethodSource("miscCases")
    void misc(int c) {
        Fixtures f = MISC;
        String op = f.param(c, "op");
        Function<Map<String, Tensor>, Tensor> fn = switch (op) {
            case "pixel_shuffle" -> in -> Functional.pixelShuffle(in.get("input"), f.ints(c, "upscale")[0]);
            case "pixel_unshuffle" -> in -> Functional.pixelUnshuffle(in.get("input"), f.ints(c, "downscale")[0]);
            case "unfold" -> {
                int[] k = f.ints(c, "kernel");
                Conv2dOptions o = window(f, c);
                yield in -> Functional.unfold(in.get("input"), k[0], k[1], o);
            }
            case "fold" -> {
                int[] k = f.ints(c, "kernel"), size = f.ints(c, "output_size");
                Conv2dOptions o = window(f, c);
                yield in -> Functional.fold(in.get("input"), size[0], size[1], k[0], k[1], o);
            }
            default -> throw new AssertionError("unknown op " + op);
        };
        check(f, c, fn, "input");
    }

    private static Conv2dOptions window(Fixtures f, int c) {
        int[] s = f.ints(c, "stride"), p = f.ints(c, "padding"), d = f.ints(c, "dilation");
        return new Conv2dOptions(s[0], s[1], p[0], p[1], d[0], d[1], 1);
    }

    private static boolean flag(Fixtures f, int c, String key) {
        return f.param(c, key).equals("1");
    }

    /**
     * Builds the named inputs of case {@code c} (absent ones are null), runs {@code fn},
     * backpropagates the stored grad_output and compares the output and every input gradient.
     */
    private static void check(Fixtures f, int c, Function<Map<String, Tensor>, Tensor> fn, String... names) {
        String what = f.name() + " case " + c + " " + f.params(c);
        Map<String, Tensor> in = new LinkedHashMap<>();
        for (String n : names) {
            in.put(n, f.has(c, n) ? Tensor.fromArray(f.data(c, n), f.shape(c, n)).requiresGrad(true) : null);
        }
        Tensor out = fn.apply(in);
        assertArrayEquals(f.shape(c, "output"), out.shape(), what + ": output shape");
        Fixtures.assertClose(f.data(c, "output"), out.toArray(), ATOL, RTOL, what + ": output");
        out.backward(Tensor.fromArray(f.data(c, "grad_output"), f.shape(c, "grad_output")));
        for (Map.Entry<String, Tensor> e : in.entrySet()) {
            if (e.getValue() == null) {
                assertNull(f.has(c, "grad_" + e.getKey()) ? "stored" : null, what + ": grad_" + e.getKey() + " without input");
                continue;
            }
            Fixtures.assertClose(f.data(c, "grad_" + e.getKey()), e.getValue().grad().toArray(), ATOL, RTOL,
                    what + ": grad_" + e.getKey());
        }
    }
}
