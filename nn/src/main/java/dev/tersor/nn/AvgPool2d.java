package dev.tersor.nn;

import dev.tersor.tensor.Functional;
import dev.tersor.tensor.Pool2dOptions;
import dev.tersor.tensor.Tensor;

/** Mean over kernel windows of [N, C, H, W]; the stride defaults to the kernel size. */
public class AvgPool2d extends Module {
    private final Pool2dOptions options;

    /** Kernel k, stride k, no padding. */
    public AvgPool2d(int kernel) {
        this(Pool2dOptions.of(kernel));
    }

    /** Kernel, stride and padding. */
    public AvgPool2d(int kernel, int stride, int padding) {
        this(Pool2dOptions.of(kernel, stride, padding));
    }

    /** Full control (ceil mode, whether padding counts in the divisor). */
    public AvgPool2d(Pool2dOptions options) {
        this.options = options;
    }

    @Override
    public Tensor forward(Tensor x) {
        return Functional.avgPool2d(x, options);
    }

    @Override
    protected String extraRepr() {
        return "kernel_size=" + options.kernelH() + ", stride=" + options.strideH() + ", padding=" + options.padH();
    }
}
