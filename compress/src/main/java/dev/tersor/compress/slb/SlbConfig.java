package dev.tersor.compress.slb;

/**
 * How {@link Slb#prepare} quantizes: the bit width of the weights, the scale of the grid, the
 * temperature schedule, and whether the first and last Conv2d/Linear layers are searched too
 * (by default they stay float, as in the paper's experiments). Activations stay float: the paper
 * quantizes them with a separate uniform quantizer (its code's {@code --a_nbit}, PACT for
 * ResNets), which this package does not add.
 * <pre>{@code
 * SlbConfig c = SlbConfig.bits(2);                                   // {−1, −1/3, 1/3, 1}·max|W|
 * SlbConfig paper = SlbConfig.bits(1).withScale(SlbScale.UNIT).withSchedule(new SlbSchedule(1, 1.03, 0.3, 0.9));
 * }</pre>
 *
 * @param bits                  1, 2 or 4: the grid has 2^bits values
 * @param scale                 the factor α of the grid
 * @param init                  how the logits start
 * @param schedule              the temperature schedule ({@link SlbSchedule#DEFAULT})
 * @param quantizeFirstAndLast  also search the first and the last Conv2d/Linear of the model
 */
public record SlbConfig(int bits, SlbScale scale, SlbInit init, SlbSchedule schedule, boolean quantizeFirstAndLast) {

    /** Validates every field. */
    public SlbConfig {
        if (bits != 1 && bits != 2 && bits != 4) throw new IllegalArgumentException("SlbConfig: bits must be 1, 2 or 4, got " + bits);
        if (scale == null) throw new IllegalArgumentException("SlbConfig: scale must not be null");
        if (init == null) throw new IllegalArgumentException("SlbConfig: init must not be null");
        if (schedule == null) throw new IllegalArgumentException("SlbConfig: schedule must not be null");
    }

    /** {@code bits}-bit weights, α = max |W|, random logits, the default schedule, first and last layers float. */
    public static SlbConfig bits(int bits) {
        return new SlbConfig(bits, SlbScale.MAX_ABS, SlbInit.RANDOM, SlbSchedule.DEFAULT, false);
    }

    /** This config with another scale. */
    public SlbConfig withScale(SlbScale s) {
        return new SlbConfig(bits, s, init, schedule, quantizeFirstAndLast);
    }

    /** This config with another temperature schedule. */
    public SlbConfig withSchedule(SlbSchedule s) {
        return new SlbConfig(bits, scale, init, s, quantizeFirstAndLast);
    }

    /** This config with another logit initialisation. */
    public SlbConfig withInit(SlbInit i) {
        return new SlbConfig(bits, scale, i, schedule, quantizeFirstAndLast);
    }

    /** This config, searching the first and last layers too (or not). */
    public SlbConfig withFirstAndLast(boolean on) {
        return new SlbConfig(bits, scale, init, schedule, on);
    }

    /** The number of grid values, 2^bits. */
    public int levels() {
        return 1 << bits;
    }

    /**
     * The unit grid, ascending: {@code linspace(−1, 1, 2^bits)}, i.e. b=1 {−1, 1}; b=2 {−1, −1/3,
     * 1/3, 1}; b=4 {−1, −13/15, ..., 13/15, 1} (step 2/15), as the official implementation's
     * {@code w_list}. A layer's values are these times its α.
     */
    public float[] unitGrid() {
        int n = levels();
        float[] g = new float[n];
        for (int i = 0; i < n; i++) g[i] = (float) (-1.0 + 2.0 * i / (n - 1));
        return g;
    }
}
