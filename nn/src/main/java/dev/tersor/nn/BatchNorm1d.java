package dev.tersor.nn;

import dev.tersor.tensor.Tensor;

/** Batch normalisation of [N, C] or [N, C, L] per channel (see {@link BatchNormBase} for the formulas). */
public class BatchNorm1d extends BatchNormBase {
    /** eps 1e-5, momentum 0.1, affine, tracking running statistics (PyTorch's defaults). */
    public BatchNorm1d(int channels) {
        this(channels, 1e-5f, 0.1f, true, true);
    }

    /** Full control; a null momentum means a cumulative moving average. */
    public BatchNorm1d(int channels, float eps, Float momentum, boolean affine, boolean trackRunningStats) {
        super(channels, eps, momentum, affine, trackRunningStats);
    }

    @Override
    void checkInput(Tensor x) {
        requireChannels("BatchNorm1d", x, channels, 2, 3);
    }
}
