package dev.tersor.cli;

import dev.tersor.nn.Summary;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.LongUnaryOperator;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * The heap a {@code tersor bench} job needs at its peak, estimated from its shapes before anything
 * large is allocated, so that a job that cannot fit is refused up front ({@link #requireFits}: a
 * usage error, exit code 2) instead of running for a minute and dying of {@link OutOfMemoryError}.
 *
 * <p>The estimate adds up the arrays the job holds at once at its peak (float32: 4 bytes an element):
 * <ul>
 *   <li>gemm N: A, B and C, {@code 3·4·N²}.</li>
 *   <li>linear: x [N, in], W [out, in], b [out] and y [N, out], {@code 4·(N·in + out·in + out + N·out)};
 *       int8 adds its int8 weights {@code out·in} and the quantized input, 4 bytes an element of x:
 *       {@code 4·N·in}.</li>
 *   <li>conv2d: x [N, C, H, H], W [K, C/g, k, k], b [K] and y [N, K, Ho, Ho]; {@code --backward} adds
 *       the output gradient (like y) and the input, weight and bias gradients twice (the op's result
 *       and the copy a leaf accumulates); int8 adds its int8 weights and a 4-byte copy of x; binary
 *       its packed activations, ⌈C/64⌉ 8-byte words per padded pixel, {@code 8·N·⌈C/64⌉·(H+2p)·s·⌈(H+2p)/s⌉};
 *       adder the unfolded input {@code 4·N·C·k²·Ho²} and, for N &gt; 1, a second y.</li>
 *   <li>forward: the weights in memory, the input batch and three outputs of the largest leaf layer
 *       (its input and output, and one more that size: an activation applied to it, or a residual
 *       shortcut beside it): with a<sub>i</sub> the elements of one sample's output of leaf layer i
 *       ({@link Summary}), {@code weights + 4·N·(input + 3·maxᵢ aᵢ)}.</li>
 *   <li>train-step: parameters P, their gradients and the optimizer's state (s = 1 copy for SGD with
 *       momentum, 2 for Adam and AdamW, 0 for plain SGD), buffers B, the input batch, the target (an
 *       int label, or an output-sized float tensor), what the forward keeps for backward, taken as
 *       {@link #ACTIVATION_FACTOR} times the leaf-layer outputs, and the gradient of the largest one:
 *       {@code 4·(P·(2 + s) + B) + N·(4·input + target + 4·(4·Σᵢ aᵢ + maxᵢ aᵢ))}.</li>
 * </ul>
 * Not counted, and left to the margin: the kernels' scratch buffers (im2col chunks, per-thread
 * partial sums), copies made while setting up, the intermediate tensors inside a layer, and the
 * garbage of earlier calls. A job fits when its estimate is at most {@link #HEAP_FRACTION} of the
 * JVM's maximum heap ({@link Runtime#maxMemory()}, {@code -Xmx}): the rest is for the JVM's own
 * objects, that garbage, and G1's rounding of large arrays up to whole regions (on JDK 17's G1,
 * arrays adding up to 80% of {@code -Xmx} sometimes failed to allocate; 75% never did).
 *
 * @param bytes          the estimate, in bytes
 * @param counted        what it counts, for the error message
 * @param option         the option that shrinks the job ({@code --size} or {@code --batch})
 * @param largestFitting the largest value of {@code option} whose job fits in a given number of bytes (0: none)
 */
record MemoryEstimate(long bytes, String counted, String option, LongUnaryOperator largestFitting) {

    /** The share of the maximum heap a job may take. */
    static final double HEAP_FRACTION = 0.75;

    /**
     * What a training forward keeps for backward, per element of the leaf-layer outputs: it also
     * keeps the outputs of functional activations, pooling and residual adds, which are no layers,
     * and the copies some ops save. Measured on the zoo (heap retained by the graph after a
     * collection, per sample, batches 8 and 16), that was 1.0–1.2 times the leaf outputs for EDSR,
     * about 2 for LeNet-5, the MLP and VGG-small, 3.7 for the CIFAR ResNets (6.4 for the binary ResNet-20).
     */
    static final int ACTIVATION_FACTOR = 4;

    private static final long GIB = 1L << 30;

    MemoryEstimate {
        if (bytes < 0) throw new IllegalArgumentException("bytes must be >= 0, got " + bytes);
        Objects.requireNonNull(counted, "counted");
        Objects.requireNonNull(option, "option");
        Objects.requireNonNull(largestFitting, "largestFitting");
    }

    /** {@code tersor bench gemm --size n}: A, B and C, n×n floats each. */
    static MemoryEstimate gemm(int n) {
        return new MemoryEstimate(12L * n * n, "A, B and C: 3 × " + n + "×" + n + " floats", "--size",
                budget -> Math.min(GemmBench.MAX_SIZE, (long) Math.floor(Math.sqrt(budget / 12.0))));
    }

    /** {@code tersor bench linear}: x, W, b, y (and for int8 the int8 weights and the quantized input). */
    static MemoryEstimate linear(int batch, int in, int out, boolean int8) {
        long weights = (long) out * in;
        long fixed = 4 * (weights + out) + (int8 ? weights : 0);
        long perSample = 4L * (in + out) + (int8 ? 4L * in : 0);
        return batched(fixed, perSample, batch, "x [" + batch + ", " + in + "], w [" + out + ", " + in + "], b and y ["
                + batch + ", " + out + "]" + (int8 ? ", the int8 weights and the quantized x" : ""));
    }

    /** What kind of convolution {@link #conv2d} counts. */
    enum ConvKind { FLOAT, FLOAT_BACKWARD, INT8, BINARY, ADDER }

    /**
     * {@code tersor bench conv2d}: x [N, C, H, H], a k×k kernel with K outputs in {@code groups}
     * groups, stride s and padding p (output Ho×Ho), counted as the class comment says for {@code kind}.
     */
    static MemoryEstimate conv2d(ConvKind kind, int batch, int in, int out, int hw, int kernel, int stride, int pad,
                                 int groups, int outHw) {
        long xs = (long) in * hw * hw, ys = (long) out * outHw * outHw;   // per sample
        long w = (long) out * (in / groups) * kernel * kernel;
        long fixed = 4 * (w + out), perSample = 4 * (xs + ys);
        String extra = "";
        switch (kind) {
            case FLOAT -> { }
            case FLOAT_BACKWARD -> {
                fixed += 8 * (w + out);
                perSample += 4 * (ys + 2 * xs);
                extra = ", the output gradient and the input, weight and bias gradients (each twice)";
            }
            case INT8 -> {
                fixed += w;
                perSample += 4 * xs;
                extra = ", the int8 weights and the quantized x";
            }
            case BINARY -> {
                long padded = hw + 2L * pad;
                perSample += 8 * ((in + 63) / 64) * padded * stride * ((padded + stride - 1) / stride);
                extra = ", the packed activations";
            }
            case ADDER -> {
                perSample += 4L * in * kernel * kernel * outHw * outHw + (batch > 1 ? 4 * ys : 0);
                extra = ", the unfolded input" + (batch > 1 ? " and a second y" : "");
            }
        }
        return batched(fixed, perSample, batch, "x [" + batch + ", " + in + ", " + hw + ", " + hw + "], w [" + out + ", "
                + in / groups + ", " + kernel + ", " + kernel + "], b and y [" + batch + ", " + out + ", " + outHw + ", " + outHw
                + "]" + extra);
    }

    /**
     * {@code tersor bench forward}: the weights, the input batch and three outputs of the largest
     * leaf layer (its input, its output and one more that size: an activation applied to it, or
     * a residual shortcut beside it).
     */
    static MemoryEstimate forward(long weightBytes, long inputPerSample, List<Summary.Row> rows, int batch) {
        return batched(weightBytes, 4 * (inputPerSample + 3 * largestOutput(rows)), batch,
                "the weights, the input batch and 3 × the largest layer output of " + batch + " samples");
    }

    /**
     * {@code tersor bench train-step}: parameters with gradients and {@code stateSlots} optimizer
     * copies, buffers, the batch, its target ({@code targetBytesPerSample}), {@link #ACTIVATION_FACTOR}
     * times the layer outputs (what autograd keeps for backward) and the gradient of the largest one.
     */
    static MemoryEstimate trainStep(long parameters, int stateSlots, long buffers, long inputPerSample,
                                    long targetBytesPerSample, List<Summary.Row> rows, int batch) {
        long fixed = 4 * (parameters * (2 + stateSlots) + buffers);
        long perSample = 4 * inputPerSample + targetBytesPerSample + 4 * (ACTIVATION_FACTOR * allOutputs(rows) + largestOutput(rows));
        return batched(fixed, perSample, batch, "parameters, gradients and optimizer state, the input and target batch,"
                + " and the activations of " + batch + " samples kept for backward");
    }

    /** Optimizer state copies per parameter: 2 for Adam and AdamW, 1 for SGD with momentum, 0 for plain SGD. */
    static int stateSlots(String optimizer, double momentum) {
        return optimizer.startsWith("adam") ? 2 : momentum != 0 ? 1 : 0;
    }

    /** {@code fixed + perSample·batch}, shrunk by {@code --batch}. */
    static MemoryEstimate batched(long fixed, long perSample, int batch, String counted) {
        long bytes = saturatedAdd(fixed, saturatedMultiply(perSample, batch));
        return new MemoryEstimate(bytes, counted, "--batch",
                budget -> budget < fixed || perSample == 0 ? 0 : Math.min(Integer.MAX_VALUE, (budget - fixed) / perSample));
    }

    /** The elements of the largest leaf-layer output of one sample, {@code maxᵢ aᵢ}. */
    static long largestOutput(List<Summary.Row> rows) {
        long best = 0;
        for (Summary.Row r : rows) best = Math.max(best, elements(r));
        return best;
    }

    /** The elements of all leaf-layer outputs of one sample, {@code Σᵢ aᵢ}. */
    static long allOutputs(List<Summary.Row> rows) {
        long sum = 0;
        for (Summary.Row r : rows) sum += elements(r);
        return sum;
    }

    private static long elements(Summary.Row r) {
        long n = 1;
        for (int d : r.outputShape()) n *= d;
        return n;
    }

    /** The bytes a job may take in a JVM whose maximum heap is {@code maxHeap}. */
    static long budget(long maxHeap) {
        return maxHeap == Long.MAX_VALUE ? Long.MAX_VALUE : (long) (maxHeap * HEAP_FRACTION);
    }

    /** Refuses the job of {@code cl} when it does not fit this JVM's heap ({@link Runtime#maxMemory()}). */
    void requireFits(CommandLine cl) {
        requireFits(cl, Runtime.getRuntime().maxMemory());
    }

    /**
     * Throws a {@link ParameterException} naming the estimate, the heap and what to do (a smaller
     * size or batch, or {@code -Xmx} and how the {@code ./tersor} launcher takes it) when
     * {@link #bytes} exceeds {@link #budget}{@code (maxHeap)}.
     */
    void requireFits(CommandLine cl, long maxHeap) {
        long budget = budget(maxHeap);
        if (bytes <= budget) return;
        long largest = largestFitting.applyAsLong(budget);
        long xmx = (long) Math.ceil(bytes / HEAP_FRACTION / GIB);
        String command = cl.getCommandSpec().qualifiedName().replaceFirst("^tersor ", "");
        long ram = physicalMemory();
        throw new ParameterException(cl, String.format(Locale.ROOT,
                "this job needs about %s of heap (%s), more than the %s a job may use here (%d%% of the JVM's maximum"
                        + " heap, %s); %s, or give the JVM more heap with -Xmx%s: the ./tersor launcher takes JVM options"
                        + " from TERSOR_JAVA_OPTS, e.g. TERSOR_JAVA_OPTS=-Xmx%dg ./tersor %s ... (or java -Xmx%dg --add-modules"
                        + " jdk.incubator.vector -jar cli/target/tersor.jar %s ...)",
                size(bytes), counted, size(budget), Math.round(HEAP_FRACTION * 100), size(maxHeap),
                largest >= 1 ? "use " + option + " " + largest + " or less" : "even " + option + " 1 does not fit",
                ram > 0 && xmx * GIB > ram ? " (more than this machine's " + size(ram) + " of memory)" : "",
                xmx, command, xmx, command));
    }

    /** Bytes as {@code "1.50 GiB"} or {@code "12.3 MiB"}. */
    static String size(long bytes) {
        return bytes >= GIB ? String.format(Locale.ROOT, "%.2f GiB", bytes / (double) GIB)
                : String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1 << 20));
    }

    private static long physicalMemory() {
        try {
            return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                    ? os.getTotalMemorySize() : -1;
        } catch (RuntimeException | LinkageError e) {
            return -1;   // no jdk.management module: leave the comparison out
        }
    }

    private static long saturatedMultiply(long a, long b) {
        long high = Math.multiplyHigh(a, b), low = a * b;
        return high != 0 || low < 0 ? Long.MAX_VALUE : low;
    }

    private static long saturatedAdd(long a, long b) {
        long s = a + b;
        return s < 0 ? Long.MAX_VALUE : s;
    }
}
