package dev.tersor.compress.slb;

/**
 * SLB's temperature schedule over epochs {@code 1..E}: with {@code s = ⌊E·startFraction⌋} and
 * {@code e = ⌊E·endFraction⌋},
 * <pre>
 * T(epoch) = initial                                   epoch ≤ s
 *          = initial · factor^(min(epoch, e) − s)      epoch > s
 * discrete(epoch) = epoch ≥ e                          (training forward uses argmax weights)
 * </pre>
 * as MindSpore Golden Stick's SLB {@code TemperatureScheduler.epoch_begin}
 * ({@code mindspore_gs/quantization/slb/slb_quant_aware_training.py}, defaults t_start_val 1,
 * t_factor 1.2, t_start_time 0.2, t_end_time 0.6). From epoch e on, the quantizer's training
 * forward also uses the one-hot argmax (the code's {@code flag_temperature_end_changing}): the
 * logits stop learning and the rest of the network trains against the discrete weights.
 * The paper's repository README lists per-bit factors 1.03–1.06 with start 0.3–0.4 and end 0.9 for
 * 500-epoch CIFAR runs; pass those through the constructor.
 *
 * @param initial       T at the first epoch (> 0)
 * @param factor        multiplier per epoch between s and e (≥ 1)
 * @param startFraction s/E, in [0, 1]
 * @param endFraction   e/E, in [startFraction, 1]
 */
public record SlbSchedule(double initial, double factor, double startFraction, double endFraction) {

    /** The official defaults: T₀ = 1, ×1.2 per epoch from 20% to 60% of the epochs. */
    public static final SlbSchedule DEFAULT = new SlbSchedule(1.0, 1.2, 0.2, 0.6);

    /** Validates every field. */
    public SlbSchedule {
        if (!(initial > 0) || Double.isInfinite(initial)) throw new IllegalArgumentException("SlbSchedule: initial temperature must be positive and finite, got " + initial);
        if (!(factor >= 1) || Double.isInfinite(factor)) throw new IllegalArgumentException("SlbSchedule: factor must be >= 1 and finite, got " + factor);
        if (!(startFraction >= 0 && startFraction <= 1)) throw new IllegalArgumentException("SlbSchedule: startFraction must be in [0, 1], got " + startFraction);
        if (!(endFraction >= startFraction && endFraction <= 1)) {
            throw new IllegalArgumentException("SlbSchedule: endFraction must be in [startFraction=" + startFraction + ", 1], got " + endFraction);
        }
    }

    /** The first epoch whose temperature is raised is {@code startEpoch(E) + 1}. */
    public int startEpoch(int epochs) {
        return (int) Math.floor(checkEpochs(epochs) * startFraction);
    }

    /** From this epoch on the weights are discrete in training too. */
    public int endEpoch(int epochs) {
        return (int) Math.floor(checkEpochs(epochs) * endFraction);
    }

    /** The temperature for {@code epoch} (1-based) of {@code epochs}. */
    public double temperature(int epoch, int epochs) {
        int s = startEpoch(epochs), e = endEpoch(epochs);
        checkEpoch(epoch, epochs);
        return epoch > s ? initial * Math.pow(factor, Math.min(epoch, e) - s) : initial;
    }

    /** Whether {@code epoch} (1-based) trains with the argmax (discrete) weights. */
    public boolean discrete(int epoch, int epochs) {
        checkEpoch(epoch, epochs);
        return epoch >= endEpoch(epochs);
    }

    private static int checkEpochs(int epochs) {
        if (epochs < 1) throw new IllegalArgumentException("SlbSchedule: epochs must be >= 1, got " + epochs);
        return epochs;
    }

    private static void checkEpoch(int epoch, int epochs) {
        checkEpochs(epochs);
        if (epoch < 1 || epoch > epochs) throw new IllegalArgumentException("SlbSchedule: epoch must be in [1, " + epochs + "], got " + epoch);
    }
}
