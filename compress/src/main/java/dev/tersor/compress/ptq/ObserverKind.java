package dev.tersor.compress.ptq;

import dev.tersor.compress.quant.HistogramObserver;
import dev.tersor.compress.quant.MinMaxObserver;
import dev.tersor.compress.quant.MovingAverageMinMaxObserver;
import dev.tersor.compress.quant.Observer;
import dev.tersor.compress.quant.PercentileObserver;

/** Which observer calibration puts on each quantized layer's input. */
public enum ObserverKind {
    /** Running min and max ({@link MinMaxObserver}). */
    MINMAX,
    /** Moving average of each batch's min and max, constant 0.01 ({@link MovingAverageMinMaxObserver}). */
    MOVING_AVERAGE,
    /** The 0.01th and 99.99th percentiles over all batches ({@link PercentileObserver}). */
    PERCENTILE,
    /** torch.ao's histogram with the L2 range search ({@link HistogramObserver}). */
    HISTOGRAM;

    /** A fresh observer for {@code bits}-bit activations (the histogram search depends on the bits). */
    public Observer create(int bits) {
        return switch (this) {
            case MINMAX -> new MinMaxObserver();
            case MOVING_AVERAGE -> new MovingAverageMinMaxObserver();
            case PERCENTILE -> new PercentileObserver();
            case HISTOGRAM -> new HistogramObserver(bits);
        };
    }
}
