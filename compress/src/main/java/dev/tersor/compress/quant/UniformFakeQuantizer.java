package dev.tersor.compress.quant;

import dev.tersor.tensor.Tensor;
import java.util.Arrays;

/**
 * Uniform fake quantization from observed ranges, as torch.ao's {@code FakeQuantize}: the range
 * of what passes through (per tensor, or per output channel along dimension 0) gives
 * {@code scheme.qparams(min, max)}, and the input is fake-quantized with torch's rounded window
 * ({@link FakeQuantize#fixed}). Ranges are updated in training mode and frozen in evaluation
 * mode (a quantizer that has seen nothing takes its range from the first tensor, in either mode):
 * <pre>
 * {@link Range#MIN_MAX}         min ← min(min, batch_min), max ← max(max, batch_max)     (MinMaxObserver)
 * {@link Range#MOVING_AVERAGE}  min ← min + c·(batch_min − min), c = 0.01               (MovingAverageMinMaxObserver;
 *                               the first batch sets the range)                          per channel: ...PerChannel...)
 * {@link Range#CURRENT}         the range of the current tensor, recomputed every call, also in evaluation
 *                               (max-symmetric weights of PAMS and PACT: scale = max|w| / (2^(b−1) − 1))
 * </pre>
 * The ranges are the buffers {@code min_val} and {@code max_val} ([C], C = 1 per tensor; ±∞ before
 * the first tensor), as torch.ao's observers name them.
 * <pre>{@code
 * UniformFakeQuantizer act = UniformFakeQuantizer.activations(8);                 // quint8, affine, moving average
 * UniformFakeQuantizer w = UniformFakeQuantizer.weights(8, 16, true);             // qint8 per channel, 16 channels
 * UniformFakeQuantizer maxSym = UniformFakeQuantizer.maxSymmetric(4);             // [−7, 7], scale max|w|/7
 * }</pre>
 */
public final class UniformFakeQuantizer extends FakeQuantizer {

    /** How the range follows the tensors that pass. */
    public enum Range {
        /** Running minimum and maximum of everything seen. */
        MIN_MAX,
        /** Exponential moving average of each batch's minimum and maximum. */
        MOVING_AVERAGE,
        /** The current tensor's minimum and maximum only. */
        CURRENT
    }

    private final QuantScheme scheme;
    private final Range range;
    private final float momentum;
    private final int channels;

    /**
     * A quantizer for {@code scheme} with {@code channels} ranges (1 unless the scheme is per
     * channel), following {@code range} with averaging constant {@code momentum} (moving average only).
     */
    public UniformFakeQuantizer(QuantScheme scheme, Range range, float momentum, int channels) {
        if (scheme == null || range == null) throw new IllegalArgumentException("UniformFakeQuantizer: scheme and range must not be null");
        if (!(momentum > 0 && momentum <= 1)) throw new IllegalArgumentException("UniformFakeQuantizer: momentum must be in (0, 1], got " + momentum);
        if (channels < 1 || (!scheme.perChannel() && channels != 1)) {
            throw new IllegalArgumentException("UniformFakeQuantizer: channels must be 1 per tensor and >= 1 per channel, got " + channels
                    + " (perChannel " + scheme.perChannel() + ")");
        }
        this.scheme = scheme;
        this.range = range;
        this.momentum = momentum;
        this.channels = channels;
        registerBuffer("min_val", Tensor.full(Float.POSITIVE_INFINITY, channels), true);
        registerBuffer("max_val", Tensor.full(Float.NEGATIVE_INFINITY, channels), true);
    }

    /** Activations as torch.ao's default QAT: {@link QuantScheme#affine} per tensor, moving average 0.01. */
    public static UniformFakeQuantizer activations(int bits) {
        return new UniformFakeQuantizer(QuantScheme.affine(bits), Range.MOVING_AVERAGE, MovingAverageMinMaxObserver.DEFAULT_MOMENTUM, 1);
    }

    /** Weights as torch.ao's default QAT: {@link QuantScheme#signed} symmetric, moving average 0.01, per channel or per tensor. */
    public static UniformFakeQuantizer weights(int bits, int outChannels, boolean perChannel) {
        return new UniformFakeQuantizer(QuantScheme.signed(bits, perChannel), Range.MOVING_AVERAGE,
                MovingAverageMinMaxObserver.DEFAULT_MOMENTUM, perChannel ? outChannels : 1);
    }

    /** Per-tensor max-symmetric weights, {@code [−(2^(b−1)−1), 2^(b−1)−1]} with scale {@code max|w| / (2^(b−1)−1)} (PAMS, PACT). */
    public static UniformFakeQuantizer maxSymmetric(int bits) {
        return new UniformFakeQuantizer(QuantScheme.narrowSigned(bits, false), Range.CURRENT, 1f, 1);
    }

    /** How the range is tracked. */
    public Range range() {
        return range;
    }

    @Override
    public QuantScheme scheme() {
        return scheme;
    }

    @Override
    public boolean isInitialized() {
        float[] lo = buffer("min_val").toArray(), hi = buffer("max_val").toArray();
        return lo[0] <= hi[0];
    }

    @Override
    public void reset() {
        setScalar(buffer("min_val"), Float.POSITIVE_INFINITY);
        setScalar(buffer("max_val"), Float.NEGATIVE_INFINITY);
    }

    /** The current ranges, {min[C], max[C]}. */
    public float[][] ranges() {
        return new float[][] {buffer("min_val").toArray(), buffer("max_val").toArray()};
    }

    @Override
    public QParams qparams() {
        if (!isInitialized()) throw new IllegalStateException("UniformFakeQuantizer: no range yet (run a forward first)");
        float[][] r = ranges();
        return scheme.qparams(r[0], r[1]);
    }

    @Override
    public Tensor forward(Tensor x) {
        if (range == Range.CURRENT || isTraining() || !isInitialized()) observe(x);
        return FakeQuantize.fixed(x, qparams());
    }

    private void observe(Tensor x) {
        float[] v = x.contiguous().toArray();
        if (v.length == 0) throw new IllegalArgumentException("UniformFakeQuantizer: cannot observe an empty tensor");
        if (channels > 1 && (x.dim() == 0 || x.size(0) != channels)) {
            throw new IllegalArgumentException("UniformFakeQuantizer: " + channels + " channels need dimension 0 of size " + channels
                    + ", got shape " + Arrays.toString(x.shape()));
        }
        int inner = v.length / channels;
        float[] lo = new float[channels], hi = new float[channels];
        for (int c = 0; c < channels; c++) {
            float a = Float.POSITIVE_INFINITY, b = Float.NEGATIVE_INFINITY;
            for (int i = c * inner; i < (c + 1) * inner; i++) {
                float f = v[i];
                if (!Float.isFinite(f)) throw new IllegalArgumentException("UniformFakeQuantizer: non-finite value " + f + " at element " + i);
                a = Math.min(a, f);
                b = Math.max(b, f);
            }
            lo[c] = a;
            hi[c] = b;
        }
        boolean first = !isInitialized();
        float[] min = buffer("min_val").toArray(), max = buffer("max_val").toArray();
        for (int c = 0; c < channels; c++) {
            if (first || range == Range.CURRENT) {
                min[c] = lo[c];
                max[c] = hi[c];
            } else if (range == Range.MIN_MAX) {
                min[c] = Math.min(min[c], lo[c]);
                max[c] = Math.max(max[c], hi[c]);
            } else {
                min[c] = min[c] + momentum * (lo[c] - min[c]);
                max[c] = max[c] + momentum * (hi[c] - max[c]);
            }
        }
        try (var g = Tensor.noGrad()) {
            buffer("min_val").copyInPlace(Tensor.fromArray(min, channels));
            buffer("max_val").copyInPlace(Tensor.fromArray(max, channels));
        }
    }

    @Override
    protected String extraRepr() {
        return super.extraRepr() + ", observer=" + range + (range == Range.MOVING_AVERAGE ? ", momentum=" + momentum : "");
    }
}
