package dev.tersor.cli;

import dev.tersor.tensor.Functional;
import dev.tersor.tensor.Generator;
import dev.tersor.tensor.Tensor;
import dev.tersor.tensor.lowbit.Int8Input;
import dev.tersor.tensor.lowbit.Int8Linear;
import dev.tersor.tensor.lowbit.Int8WeightOnlyLinear;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code tersor bench linear}: the inference forward of a fully connected layer, x [N, in] ·
 * Wᵀ + b → [N, out]: {@code --mode float} through {@link Functional#linear}, {@code --mode int8}
 * through {@link Int8Linear} on the same layer quantized symmetrically (per-row int8 weights,
 * int8 input scaled by max|x|/127; weights packed beforehand, the input's quantization inside the
 * timing), {@code --mode weight-only} through {@link Int8WeightOnlyLinear} on the same int8
 * weights with the input left in float. GFLOP/s counts 2·N·in·out (one multiply-add as two operations in both modes). A
 * shape that cannot fit the heap is refused before anything is allocated ({@link MemoryEstimate}).
 */
@Command(name = "linear", mixinStandardHelpOptions = true,
        description = "Time the forward of a fully connected layer (float, int8 or weight-only int8).")
final class LinearBench implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    BenchOptions opts;

    @Option(names = "--in", required = true, paramLabel = "IN", description = "Input features.")
    int in;

    @Option(names = "--out", required = true, paramLabel = "OUT", description = "Output features.")
    int out;

    @Option(names = "--batch", defaultValue = "1", paramLabel = "N", description = "Rows of x (default: ${DEFAULT-VALUE}).")
    int batch;

    /** What kind of layer is timed. */
    enum Mode {
        FLOAT, INT8, WEIGHT_ONLY;

        /** As the option spells it: {@code float}, {@code int8}, {@code weight-only}. */
        String text() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    @Option(names = "--mode", defaultValue = "float", converter = ModeConverter.class,
            description = "float (x·Wᵀ + b in float32), int8 (integer arithmetic on int8 weights and input) or weight-only "
                    + "(int8 weights, float input); default: ${DEFAULT-VALUE}.")
    Mode mode;

    static final class ModeConverter implements CommandLine.ITypeConverter<Mode> {
        @Override
        public Mode convert(String value) {
            try {
                return Mode.valueOf(value.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not a mode: use float, int8 or weight-only");
            }
        }
    }

    @Option(names = "--seed", defaultValue = "1", description = "Seed for the random tensors (default: ${DEFAULT-VALUE}).")
    long seed;

    @SuppressWarnings("try")   // scopes held for their effect on close
    @Override
    public Integer call() {
        CommandLine cl = spec.commandLine();
        if (in < 1) throw new ParameterException(cl, "--in must be a positive integer, got " + in);
        if (out < 1) throw new ParameterException(cl, "--out must be a positive integer, got " + out);
        if (batch < 1) throw new ParameterException(cl, "--batch must be a positive integer, got " + batch);
        for (long elements : new long[] {(long) in * out, (long) batch * in, (long) batch * out}) {
            if (elements > Integer.MAX_VALUE - 8) {
                throw new ParameterException(cl, "--in " + in + ", --out " + out + " and --batch " + batch
                        + " make an array larger than Java allows (" + elements + " elements)");
            }
        }
        opts.validate(cl);
        MemoryEstimate.linear(batch, in, out, mode != Mode.FLOAT).requireFits(cl);
        PrintWriter err = cl.getErr();
        Generator g = new Generator(seed);
        Tensor x = Tensor.randn(g, batch, in);
        Tensor w = Tensor.randn(g, out, in).mul((float) (1 / Math.sqrt(in)));
        Tensor b = Tensor.randn(g, out).mul(0.1f);
        Map<String, Object> record = new LinkedHashMap<>();
        try (var applied = opts.apply(); var scope = Tensor.noGrad()) {
            err.printf("tersor bench linear: x [%d, %d], w [%d, %d], %s%n", batch, in, out, in, mode.text());
            String kernel = null;
            Runnable body;
            if (mode == Mode.INT8) {
                Int8Linear fc = Int8Linear.pack(quantizeRows(w, out), out, in, rowScales(w, out), inputOf(x), b.toArray(), false);
                kernel = fc.kernelName();
                body = () -> fc.apply(x);
            } else if (mode == Mode.WEIGHT_ONLY) {
                Int8WeightOnlyLinear fc = Int8WeightOnlyLinear.pack(quantizeRows(w, out), out, in, rowScales(w, out), b.toArray());
                kernel = fc.kernelName();
                body = () -> fc.apply(x);
            } else {
                body = () -> Functional.linear(x, w, b);
            }
            Timing.Result r = Timing.run(opts.plan(), null, body, err);
            record.put("bench", "linear");
            record.put("mode", mode.text());
            record.put("batch", batch);
            record.put("in", in);
            record.put("out", out);
            if (kernel != null) record.put("int8_kernel", kernel);
            record.put("weight_bytes", (long) in * out * (mode == Mode.FLOAT ? Float.BYTES : 1));
            record.putAll(BenchCommand.environment());
            BenchCommand.putTiming(record, r, 2.0 * batch * in * out);
        }
        BenchCommand.print(cl.getOut(), opts.json, String.format(Locale.ROOT, "%s linear N%d %d→%d (forward)",
                mode.text(), batch, in, out), record);
        return 0;
    }

    /** Symmetric per-row scales of w [rows, ...]: {@code max|w_r| / 127} (1 for an all-zero row). */
    static float[] rowScales(Tensor w, int rows) {
        float[] v = w.contiguous().toArray();
        int per = v.length / rows;
        float[] s = new float[rows];
        for (int r = 0; r < rows; r++) {
            float m = 0;
            for (int i = 0; i < per; i++) m = Math.max(m, Math.abs(v[r * per + i]));
            s[r] = m > 0 ? m / 127f : 1f;
        }
        return s;
    }

    /** w [rows, ...] rounded to int8 with {@link #rowScales}: {@code clamp(rint(w / s_r), −127, 127)}. */
    static byte[] quantizeRows(Tensor w, int rows) {
        float[] v = w.contiguous().toArray(), s = rowScales(w, rows);
        int per = v.length / rows;
        byte[] q = new byte[v.length];
        for (int i = 0; i < v.length; i++) q[i] = (byte) Math.max(-127, Math.min(127, Math.rint(v[i] / s[i / per])));
        return q;
    }

    /** Symmetric int8 input quantization for the values of x: scale {@code max|x| / 127}, zero point 0. */
    static Int8Input inputOf(Tensor x) {
        float m = 0;
        for (float v : x.contiguous().toArray()) m = Math.max(m, Math.abs(v));
        return Int8Input.int8(m > 0 ? m / 127f : 1f, 0);
    }
}
