package dev.tersor.cli;

import dev.tersor.tensor.Conv2dOptions;
import dev.tersor.tensor.Functional;
import dev.tersor.tensor.lowbit.Adder;
import dev.tersor.tensor.lowbit.Int8Conv2d;
import dev.tersor.tensor.lowbit.Int8Input;
import dev.tersor.tensor.lowbit.XnorConv2d;
import dev.tersor.tensor.Generator;
import dev.tersor.tensor.Tensor;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
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
 * {@code tersor bench conv2d}: {@link Functional#conv2d} on x [N, C, H, H] with a k×k kernel
 * [K, C/groups, k, k] and a bias [K]; with {@code --backward} also {@code y.backward(ones)},
 * which produces the input, weight and bias gradients (cleared, untimed, before each call), as
 * PyTorch's {@code y.backward(torch.ones_like(y))} does.
 * GFLOP/s counts 2·N·K·(C/groups)·k²·Hout·Wout per forward and three times that for
 * forward + backward. {@code --mode int8} times {@link Int8Conv2d} on the same layer quantized
 * symmetrically (per-channel int8 weights, int8 input scaled by max|x|/127): the weights are
 * packed beforehand, the input's quantization is inside the timing. A shape that cannot fit the
 * heap is refused before anything is allocated ({@link MemoryEstimate}).
 */
@Command(name = "conv2d", mixinStandardHelpOptions = true,
        description = "Time a 2-D convolution (forward, or forward + backward with --backward).")
final class Conv2dBench implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    BenchOptions opts;

    @Option(names = "--batch", required = true, paramLabel = "N", description = "Batch size.")
    int batch;

    @Option(names = "--in", required = true, paramLabel = "C", description = "Input channels.")
    int in;

    @Option(names = "--out", required = true, paramLabel = "K", description = "Output channels.")
    int out;

    @Option(names = "--hw", required = true, paramLabel = "H", description = "Input height and width.")
    int hw;

    @Option(names = "--kernel", required = true, paramLabel = "k", description = "Kernel height and width.")
    int kernel;

    @Option(names = "--stride", defaultValue = "1", paramLabel = "s", description = "Stride (default: ${DEFAULT-VALUE}).")
    int stride;

    @Option(names = "--pad", defaultValue = "0", paramLabel = "p", description = "Zero padding (default: ${DEFAULT-VALUE}).")
    int pad;

    @Option(names = "--groups", defaultValue = "1", paramLabel = "g", description = "Channel groups (default: ${DEFAULT-VALUE}).")
    int groups;

    @Option(names = "--backward", description = "Time forward + y.backward(ones) instead of forward only.")
    boolean backward;

    /** What kind of layer the shape is timed as. */
    enum Mode { FLOAT, BINARY, ADDER, INT8 }

    @Option(names = "--mode", defaultValue = "float", converter = ModeConverter.class,
            description = "float (conv2d), binary (XNOR-popcount on packed bits: weights packed beforehand, the"
                    + " activations' packing inside the timing), adder (-Σ|x - w|) or int8 (integer arithmetic on int8"
                    + " weights and quantized input, its quantization inside the timing); default: ${DEFAULT-VALUE}.")
    Mode mode;

    static final class ModeConverter implements CommandLine.ITypeConverter<Mode> {
        @Override
        public Mode convert(String value) {
            try {
                return Mode.valueOf(value.trim().toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not a mode: use float, binary, adder or int8");
            }
        }
    }

    /** The int8 loops that ran ({@code --mode int8}), for the report. */
    private String int8Kernel;

    @Option(names = "--seed", defaultValue = "1", description = "Seed for the random tensors (default: ${DEFAULT-VALUE}).")
    long seed;

    @SuppressWarnings("try")   // scopes held for their effect on close
    @Override
    public Integer call() {
        CommandLine cl = spec.commandLine();
        positive(cl, "--batch", batch);
        positive(cl, "--in", in);
        positive(cl, "--out", out);
        positive(cl, "--hw", hw);
        positive(cl, "--kernel", kernel);
        positive(cl, "--stride", stride);
        positive(cl, "--groups", groups);
        if (pad < 0) throw new ParameterException(cl, "--pad must be >= 0, got " + pad);
        if (in % groups != 0 || out % groups != 0) {
            throw new ParameterException(cl, "--in (" + in + ") and --out (" + out + ") must both divide by --groups (" + groups + ")");
        }
        int outHw = (hw + 2 * pad - kernel) / stride + 1;
        if (hw + 2 * pad < kernel) {
            throw new ParameterException(cl, "--kernel " + kernel + " is larger than the padded input (" + hw + " + 2·" + pad + ")");
        }
        checkFits(cl, "input", (long) batch * in * hw * hw);
        checkFits(cl, "output", (long) batch * out * outHw * outHw);
        checkFits(cl, "unfolded input", (long) batch * in * kernel * kernel * outHw * outHw);
        opts.validate(cl);
        if (mode != Mode.FLOAT && backward) {
            throw new ParameterException(cl, "--mode " + mode.name().toLowerCase(java.util.Locale.ROOT)
                    + " times the inference forward: drop --backward");
        }
        if ((mode == Mode.BINARY || mode == Mode.ADDER) && groups != 1) {
            throw new ParameterException(cl, "--mode " + mode.name().toLowerCase(java.util.Locale.ROOT)
                    + " times an ungrouped layer: drop --groups");
        }
        MemoryEstimate.ConvKind kind = switch (mode) {
            case FLOAT -> backward ? MemoryEstimate.ConvKind.FLOAT_BACKWARD : MemoryEstimate.ConvKind.FLOAT;
            case INT8 -> MemoryEstimate.ConvKind.INT8;
            case BINARY -> MemoryEstimate.ConvKind.BINARY;
            case ADDER -> MemoryEstimate.ConvKind.ADDER;
        };
        MemoryEstimate.conv2d(kind, batch, in, out, hw, kernel, stride, pad, groups, outHw).requireFits(cl);

        PrintWriter err = cl.getErr();
        Conv2dOptions options = new Conv2dOptions(stride, stride, pad, pad, 1, 1, groups);
        Generator g = new Generator(seed);
        float scale = (float) (1 / Math.sqrt((double) in / groups * kernel * kernel));
        Tensor x = Tensor.randn(g, batch, in, hw, hw).requiresGrad(backward);
        Tensor w = Tensor.randn(g, out, in / groups, kernel, kernel).mul(scale).requiresGrad(backward);
        Tensor b = Tensor.randn(g, out).mul(0.1f).requiresGrad(backward);
        Tensor ones = backward ? Tensor.ones(batch, out, outHw, outHw) : null;
        double flops = 2.0 * batch * out * ((double) in / groups) * kernel * kernel * outHw * outHw * (backward ? 3 : 1);

        Map<String, Object> record = new LinkedHashMap<>();
        try (var applied = opts.apply()) {
            err.printf("tersor bench conv2d: x [%d, %d, %d, %d], w [%d, %d, %d, %d], stride %d, pad %d, %s%n",
                    batch, in, hw, hw, out, in / groups, kernel, kernel, stride, pad,
                    backward ? "forward + backward" : "forward");
            Runnable setup = backward ? () -> {
                x.zeroGrad();
                w.zeroGrad();
                b.zeroGrad();
            } : null;
            Runnable body = switch (mode) {
                case FLOAT -> backward
                        ? () -> Functional.conv2d(x, w, b, options).backward(ones)
                        : () -> Functional.conv2d(x, w, b, options);
                case BINARY -> {
                    XnorConv2d packed = XnorConv2d.pack(w, options);   // weights packed once, outside the timing
                    yield () -> packed.apply(x);
                }
                case ADDER -> () -> Adder.conv2d(x, w, options);
                case INT8 -> {
                    Int8Conv2d packed = Int8Conv2d.pack(LinearBench.quantizeRows(w, out), w.shape(), options,
                            LinearBench.rowScales(w, out), LinearBench.inputOf(x), b.toArray(), false);
                    int8Kernel = packed.kernelName();
                    yield () -> packed.apply(x);
                }
            };
            Timing.Result r = Timing.run(opts.plan(), setup, body, err);
            if (backward && (x.grad() == null || w.grad() == null || b.grad() == null)) {
                throw new IllegalStateException("conv2d backward left a gradient unset (x, weight or bias)");
            }
            record.put("bench", "conv2d");
            record.put("mode", mode.name().toLowerCase(java.util.Locale.ROOT));
            record.put("batch", batch);
            record.put("in", in);
            record.put("out", out);
            record.put("hw", hw);
            record.put("kernel", kernel);
            record.put("stride", stride);
            record.put("pad", pad);
            record.put("groups", groups);
            record.put("backward", backward);
            record.put("out_hw", outHw);
            if (int8Kernel != null) record.put("int8_kernel", int8Kernel);
            record.putAll(BenchCommand.environment());
            BenchCommand.putTiming(record, r, flops);
        }
        String title = String.format(mode.name().toLowerCase(java.util.Locale.ROOT) + " conv2d N%d %d→%d %d×%d, %d×%d kernel, stride %d, pad %d (%s)",
                batch, in, out, hw, hw, kernel, kernel, stride, pad, backward ? "forward + backward" : "forward");
        BenchCommand.print(cl.getOut(), opts.json, title, record);
        return 0;
    }

    private static void positive(CommandLine cl, String name, int value) {
        if (value < 1) throw new ParameterException(cl, name + " must be a positive integer, got " + value);
    }

    private static void checkFits(CommandLine cl, String what, long elements) {
        if (elements > Integer.MAX_VALUE - 8) {
            throw new ParameterException(cl, "the " + what + " would hold " + elements
                    + " elements, more than one Java array can (" + (Integer.MAX_VALUE - 8) + ")");
        }
    }
}
